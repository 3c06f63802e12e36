"""The login page in a real Chromium on a phone viewport."""
import pytest

pytestmark = pytest.mark.browser


def test_sign_in_on_a_phone(phone, live_server, admin_user):
    phone.goto(live_server.url + "/")
    assert "/login" in phone.url
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "login page must not scroll sideways on a phone"
    phone.fill("input[name=username]", admin_user[0])
    phone.fill("input[name=password]", "wrong password")
    phone.click("button[type=submit]")
    assert phone.locator("[role=alert]").inner_text() == "Wrong user name or password."
    phone.fill("input[name=username]", admin_user[0])
    phone.fill("input[name=password]", admin_user[1])
    phone.click("button[type=submit]")
    phone.wait_for_url(live_server.url + "/")
    assert "Signed in as" in phone.inner_text("main")
