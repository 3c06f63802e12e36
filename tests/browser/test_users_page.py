"""An admin on a phone manages a login: creates it, issues a scoped token, deactivates it; the
pages pass axe-core and the content security policy blocks nothing of central's own."""
import pytest
from axe_playwright_python.sync_playwright import Axe

from central.db import database
from central.models import ApiToken, User
from tests.browser.helpers import assert_no_sideways_scroll, nav, sign_in

pytestmark = pytest.mark.browser


def _serious(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_admin_manages_a_login_on_a_phone(phone, live_server, admin_user):
    blocked = []
    phone.on("console", lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None)
    sign_in(phone, live_server, admin_user)
    nav(phone, "Users")
    phone.get_by_role("link", name="New user").click()
    phone.fill("input[name=username]", "kim")
    phone.fill("input[name=full_name]", "Kim Lee")
    phone.select_option("select[name=role]", "operator")
    phone.fill("input[name=password]", "12345678")
    phone.click("main button[type=submit]")
    assert "at least 10 characters" in phone.inner_text("main")
    assert _serious(phone) == []
    phone.fill("input[name=password]", "walnut harbour tempo")
    phone.click("main button[type=submit]")
    assert phone.locator(".flash").inner_text() == "User kim created."
    assert_no_sideways_scroll(phone)
    assert _serious(phone) == []

    phone.fill("input[name=name]", "scanner-7")
    phone.get_by_label("moves: report stock moves and work-order material/output").check()
    phone.fill("input[name=days]", "30")
    phone.get_by_role("button", name="Issue token").click()
    assert phone.locator("#new-token").inner_text().startswith("sft_")
    with database.connection_context():
        assert ApiToken.get().scopes == "read moves"

    phone.get_by_role("button", name="Deactivate (ends sessions, revokes tokens)").click()
    assert "kim deactivated" in phone.locator(".flash").inner_text()
    with database.connection_context():
        assert User.get(User.username == "kim").active is False and ApiToken.get().revoked
    phone.goto(live_server.url + "/account/password")
    assert _serious(phone) == []
    assert blocked == []
