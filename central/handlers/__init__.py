"""Domain handlers of station events. Importing this package registers every one of them."""
from central.handlers import certification  # noqa: F401,E402
from central.handlers import reasons  # noqa: F401,E402
from central.handlers import production, stock  # noqa: F401,E402
from central.handlers import maintenance  # noqa: F401,E402
