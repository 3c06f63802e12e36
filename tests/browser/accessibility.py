"""axe-core checks of a page in the real browser (axe-playwright-python ships axe-core itself)."""
from axe_playwright_python.sync_playwright import Axe

BLOCKING = ("serious", "critical")
_axe = Axe()


def assert_accessible(page):
    """No serious or critical axe-core violation on the page as it is now."""
    results = _axe.run(page)
    found = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
             for v in results.response["violations"] if v.get("impact") in BLOCKING]
    assert found == [], f"{page.url}: " + "; ".join(found)
