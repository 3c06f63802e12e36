"""Maintenance: assets, maintenance work orders, templates, requests, assignment rules, the
technician log, parts and contractors. Domain functions, one transaction each.

It may use stock (``central.inventory``) and people (``central.operators``,
``central.certification``); nothing outside ``central.web`` and ``central.api`` imports it.
"""
