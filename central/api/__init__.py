"""The JSON API under /api/v1: one module per feature, all on one blueprint."""
from central.api import events, health  # noqa: F401  (registers routes)
from central.api import people  # noqa: F401
from central.api import reasons  # noqa: F401
from central.api import stock, production, genealogy, openapi  # noqa: F401,E402
from central.api import maintenance, maintenance_setup  # noqa: F401,E402
from central.api import workcentres  # noqa: F401,E402
from central.api import maintenance_floor  # noqa: F401,E402
from central.api.blueprint import api
from central.api.openapi import viewer

__all__ = ["api", "viewer"]
