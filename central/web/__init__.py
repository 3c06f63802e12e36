"""The HTML admin: server-rendered pages over the same domain functions as the API."""
from central.web.blueprint import web  # first: the feature modules below register on it
from central.web import flags, home, login  # noqa: E402,F401  (register pages)
from central.web import people, reasons  # noqa: E402,F401
from central.web import machines  # noqa: E402,F401

from central.web import batches  # noqa: E402,F401
from central.web import sscc_labels  # noqa: E402,F401
from central.web import users  # noqa: E402,F401
from central.web import maintenance, maintenance_requests, maintenance_setup  # noqa: E402,F401
from central.web import events, stock, work_orders  # noqa: E402,F401
from central.web import catalog, recipes, records, stations, workcentres  # noqa: E402,F401
from central.web import search  # noqa: E402,F401
from central.web import board  # noqa: E402,F401
from central.web import maintenance_floor  # noqa: E402,F401

__all__ = ["web"]
