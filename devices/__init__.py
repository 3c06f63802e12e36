"""Device drivers chosen by URL: printers (`devices.printers`) and scanners.

Imports nothing of `edge`, `central`, Flask or paho.
"""
