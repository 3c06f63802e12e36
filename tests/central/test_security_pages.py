"""Security headers on every answer, and the admin's users page: users, passwords, sessions, tokens."""
import re

from central.db import database
from central.models import ApiToken, User, WebSession
from tests.central.test_api_stock_production import setup_plant
from tests.central.websupport import csrf, sign_in


def test_pages_forbid_framing_sniffing_and_foreign_scripts(client, api):
    for resp in (client.get("/login"), api.get("/flags"), api.get("/api/v1/items"), client.get("/api/v1/health")):
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        policy = resp.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy and "object-src 'none'" in policy
        assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "Strict-Transport-Security" not in client.get("/login").headers  # only with web.https behind a TLS proxy
    assert api.get("/flags").headers["Cache-Control"] == "no-store"


def test_an_inline_script_runs_only_with_the_answers_nonce(api):
    setup_plant(api)
    api.post("/api/v1/stock/receipts", json={"item": "FLOUR", "batch": "F1", "qty": "1"})
    resp = api.get("/batches/F1/record")
    nonce = re.search(r"'nonce-([^']+)'", resp.headers["Content-Security-Policy"]).group(1)
    page = resp.get_data(as_text=True)
    assert f'<script nonce="{nonce}">' in page and "onclick=" not in page
    assert nonce not in api.get("/batches/F1/record").headers["Content-Security-Policy"]  # new for every answer


def _admin(app, admin_user):
    client = app.test_client()
    assert sign_in(client, *admin_user).status_code == 302
    return client


def test_users_page_creates_users_and_refuses_weak_passwords(app, admin_user):
    admin = _admin(app, admin_user)
    form = csrf(admin.get("/users/new").get_data(as_text=True))
    weak = admin.post("/users/new", data={"username": "kim", "role": "operator", "password": "12345678", "csrf_token": form})
    assert weak.status_code == 400 and "at least 10 characters" in weak.get_data(as_text=True)
    made = admin.post("/users/new", data={"username": "kim", "full_name": "Kim", "role": "operator",
                                          "password": "walnut harbour tempo", "csrf_token": form})
    assert made.status_code == 302
    listing = admin.get("/users")
    assert listing.status_code == 200
    row = re.search(r"<tr><td><a href=\"/users/kim\">kim</a></td>(.*?)</tr>", listing.get_data(as_text=True), re.S).group(1)
    assert "<td>Kim</td><td>operator</td>" in row and '<td class="num">0</td>' in row


def test_users_page_sets_passwords_deactivates_and_manages_tokens(app, admin_user):
    admin = _admin(app, admin_user)
    with database.connection_context():
        from central.auth import create_user
        create_user("kim", "walnut harbour tempo", "operator")
    kim = app.test_client()
    assert sign_in(kim, "kim", "walnut harbour tempo").status_code == 302
    form = csrf(admin.get("/users/kim").get_data(as_text=True))

    issued = admin.post("/users/kim/tokens", data={"name": "scanner-7", "scopes": ["read", "moves"], "days": "30", "csrf_token": form})
    assert issued.status_code == 201
    token = re.search(r'id="new-token">(sft_[^<]+)<', issued.get_data(as_text=True)).group(1)
    machine = app.test_client()
    machine.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    assert machine.get("/api/v1/items").status_code == 200
    assert "sft_" not in admin.get("/users/kim").get_data(as_text=True)  # shown once only
    with database.connection_context():
        row = ApiToken.get(ApiToken.name == "scanner-7")
        assert row.scopes == "read moves" and row.expires_at is not None
    assert admin.post(f"/users/kim/tokens/{row.id}/revoke", data={"csrf_token": form}).status_code == 302
    assert machine.get("/api/v1/items").status_code == 401

    weak = admin.post("/users/kim/password", data={"password": "kimkimkimkim", "csrf_token": form})
    assert weak.status_code == 400
    assert kim.get("/").status_code == 200
    assert admin.post("/users/kim/password", data={"password": "silver meadow engine", "csrf_token": form}).status_code == 302
    assert kim.get("/").status_code == 302
    assert sign_in(kim, "kim", "silver meadow engine").status_code == 302

    assert admin.post("/users/kim/active", data={"csrf_token": form}).status_code == 302
    assert kim.get("/").status_code == 302
    with database.connection_context():
        assert User.get(User.username == "kim").active is False
        assert not WebSession.select().join(User).where(User.username == "kim", WebSession.ended_at.is_null()).exists()
    assert admin.get("/").status_code == 200
    own = admin.post(f"/users/{admin_user[0]}/active", data={"csrf_token": form}, follow_redirects=True)
    assert "cannot deactivate yourself" in own.get_data(as_text=True)


def test_only_admins_see_the_users_page(app, admin_user):
    with database.connection_context():
        from central.auth import create_user
        create_user("sue", "supervisor sunrise", "supervisor")
    sue = app.test_client()
    sign_in(sue, "sue", "supervisor sunrise")
    assert sue.get("/users").status_code == 403
    assert sue.get("/account/password").status_code == 200
