"""Web sessions end on the server: logout, password change, deactivation, idle and absolute
expiry; the cookie is not re-issued on every answer and is Secure behind HTTPS. Tokens expire."""
from datetime import timedelta

import pytest

from central import auth
from central.db import database
from central.models import ApiToken, User, WebSession, utcnow
from tests.central.websupport import csrf, sign_in


def _signed_in(app, user):
    client = app.test_client()
    assert sign_in(client, *user).status_code == 302
    return client


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _with_cookie(app, value):
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


def test_a_cookie_saved_before_logout_is_useless_after_it(app, admin_user):
    browser = _signed_in(app, admin_user)
    saved = _cookie(browser)
    assert _with_cookie(app, saved).get("/").status_code == 200
    page = browser.get("/").get_data(as_text=True)
    assert browser.post("/logout", data={"csrf_token": csrf(page)}).status_code == 302
    assert _with_cookie(app, saved).get("/").status_code == 302
    assert _with_cookie(app, saved).get("/api/v1/items").status_code == 401


def test_answers_do_not_reissue_the_cookie(app, admin_user):
    browser = _signed_in(app, admin_user)
    browser.get("/")  # first page makes the CSRF token, which is stored in the session once
    again = browser.get("/flags")
    assert "Set-Cookie" not in again.headers


def test_changing_ones_password_ends_the_other_sessions(app, admin_user):
    phone, desk = _signed_in(app, admin_user), _signed_in(app, admin_user)
    form = csrf(desk.get("/account/password").get_data(as_text=True))
    weak = desk.post("/account/password", data={"current": admin_user[1], "new": "password1", "again": "password1", "csrf_token": form})
    assert weak.status_code == 400 and "at least 10 characters" in weak.get_data(as_text=True)
    wrong = desk.post("/account/password", data={"current": "not mine", "new": "amber ferry lantern", "again": "amber ferry lantern",
                                                 "csrf_token": form})
    assert wrong.status_code == 400 and "not your current password" in wrong.get_data(as_text=True)
    done = desk.post("/account/password", data={"current": admin_user[1], "new": "amber ferry lantern",
                                                "again": "amber ferry lantern", "csrf_token": form})
    assert done.status_code == 302
    assert desk.get("/").status_code == 200
    assert phone.get("/").status_code == 302
    with database.connection_context():
        assert WebSession.get(WebSession.end_reason == "password changed")


def test_deactivation_ends_sessions(app, admin_user):
    browser = _signed_in(app, admin_user)
    with database.connection_context():
        auth.set_active(User.get(), False)
    assert browser.get("/").status_code == 302


@pytest.mark.parametrize("column, age", [("last_seen_at", timedelta(minutes=121)), ("created_at", timedelta(hours=12, minutes=1))])
def test_idle_and_absolute_expiry(app, admin_user, column, age):
    browser = _signed_in(app, admin_user)
    assert browser.get("/").status_code == 200
    with database.connection_context():
        WebSession.update({getattr(WebSession, column): utcnow() - age}).execute()
    assert browser.get("/").status_code == 302
    with database.connection_context():
        assert WebSession.get().end_reason == "expired"


def test_a_busy_session_stays_open_until_its_absolute_end(app, admin_user):
    browser = _signed_in(app, admin_user)
    with database.connection_context():
        WebSession.update(created_at=utcnow() - timedelta(hours=11), last_seen_at=utcnow() - timedelta(minutes=90)).execute()
    assert browser.get("/").status_code == 200
    with database.connection_context():
        assert utcnow() - WebSession.get().last_seen_at < timedelta(minutes=1)


def test_cookie_is_not_secure_by_default(app, admin_user):
    resp = sign_in(app.test_client(), *admin_user)
    assert "Secure" not in resp.headers["Set-Cookie"] and "HttpOnly" in resp.headers["Set-Cookie"]


def test_behind_a_tls_proxy_the_cookie_is_secure_and_hsts_is_sent(settings_overrides, admin_user):
    from central import create_app

    app = create_app({**settings_overrides, "web.https": True, "web.proxy_hops": 1})
    client = app.test_client()
    # the proxy speaks plain HTTP to central and tells it the browser used HTTPS
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.7", "Referer": "https://localhost/login"}
    page = client.get("/login", headers=proxied)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    resp = client.post("/login", headers=proxied, data={"username": admin_user[0], "password": admin_user[1],
                                                        "csrf_token": csrf(page.get_data(as_text=True))})
    assert resp.status_code == 302 and "; Secure" in resp.headers["Set-Cookie"]
    with database.connection_context():
        assert WebSession.get().client == "192.0.2.7"
    assert client.get("/login").headers.get("Strict-Transport-Security") is None  # not over plain HTTP


def test_tokens_expire_and_can_be_revoked(app, admin_user):
    with database.connection_context():
        boss = User.get()
        token = auth.issue_token(boss, "scale", "read", days=30)
        row = ApiToken.get()
        assert timedelta(days=29) < row.expires_at - utcnow() <= timedelta(days=30)
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    assert client.get("/api/v1/items", headers=headers).status_code == 200
    with database.connection_context():
        ApiToken.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    expired = client.get("/api/v1/items", headers=headers)
    assert expired.status_code == 401 and "expired" in expired.get_json()["error"]
    with database.connection_context():
        ApiToken.update(expires_at=None).execute()
    assert client.get("/api/v1/items", headers=headers).status_code == 200
    with database.connection_context():
        auth.revoke_token(row.id)
    assert client.get("/api/v1/items", headers=headers).status_code == 401
    assert client.get("/api/v1/health", headers=headers).status_code == 200  # public stays public
