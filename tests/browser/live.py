"""Waiting for a live page to change: polled, since the pages' CSP forbids Playwright's wait_for_function (eval)."""
import time

WAIT_MS = 60_000  # generous: the machine may be shared; the benches measure the latency


def wait_js(page, expression: str, timeout_ms: int = WAIT_MS) -> None:
    """Poll ``expression`` in the page until it is true; fail after ``timeout_ms``."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        if page.evaluate(f"() => {{ try {{ return !!({expression}); }} catch (e) {{ return false; }} }}"):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression} on {page.url}")
        page.wait_for_timeout(50)
