"""Central's web app as a WSGI server runs it: ``gunicorn central.wsgi:app``.

The app is made from the configuration (``SHOPFLOOR_CONFIG`` and the environment, as for every
``shopfloor`` command), then settled (:func:`central.settle`).
"""
from central import create_app, settle

app = create_app()
settle()
