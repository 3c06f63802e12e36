"""The app factory, the login gate, CSRF and error responses."""
import re

from central.db import database


def test_health_needs_no_login(client):
    resp = client.get("/api/v1/health")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "database": True}


def test_the_favicon_needs_no_login(client):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200 and resp.mimetype == "image/vnd.microsoft.icon" and resp.data[:4] == b"\x00\x00\x01\x00"


def test_api_without_login_is_401_json(client):
    resp = client.get("/api/v1/nothing-here")
    assert resp.status_code == 401
    assert "login required" in resp.get_json()["error"]


def test_page_without_login_redirects_to_login(client):
    resp = client.get("/")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_login_with_csrf_then_home(client, admin_user):
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    resp = client.post("/login", data={"username": admin_user[0], "password": admin_user[1], "csrf_token": token})
    assert resp.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "boss" in home.get_data(as_text=True)
    assert 'href="/api/v1/docs/">API</a>' in home.get_data(as_text=True)  # admins find the API documentation


def test_login_without_csrf_token_is_refused(client, admin_user):
    resp = client.post("/login", data={"username": admin_user[0], "password": admin_user[1]})
    assert resp.status_code == 400
    assert "csrf" in resp.get_data(as_text=True).lower()


def test_wrong_password_is_refused(client, admin_user):
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    resp = client.post("/login", data={"username": admin_user[0], "password": "nope-nope", "csrf_token": token})
    assert resp.status_code == 401
    assert "Wrong user name or password" in resp.get_data(as_text=True)


def test_bearer_token_reaches_api_and_unknown_route_is_404_json(api):
    resp = api.get("/api/v1/no-such-thing")
    assert resp.status_code == 404
    assert "error" in resp.get_json()


def test_bad_bearer_token_is_401(client):
    resp = client.get("/api/v1/flags", headers={"Authorization": "Bearer sft_wrong"})
    assert resp.status_code == 401


def test_passwords_are_stored_hashed(app, admin_user):
    from central.models import User

    with database.connection_context():
        stored = User.get(User.username == admin_user[0]).password_hash
    assert admin_user[1] not in stored and stored.startswith("scrypt:")


def test_the_wsgi_entry_point_serves_a_settled_app(tmp_path):
    """``central.wsgi:app`` (what gunicorn runs) is the configured app, with start-up frozen out of the GC."""
    import os
    import subprocess
    import sys

    probe = ("import gc, central.wsgi as w; c = w.app.test_client(); r = c.get('/api/v1/health'); "
             "print(r.status_code, gc.get_freeze_count() > 10000)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPFLOOR_")}
    env.update(SHOPFLOOR_DATABASE_URL=f"sqlite:///{tmp_path}/central.db", SHOPFLOOR_DATA_DIR=str(tmp_path))
    subprocess.run([sys.executable, "-m", "shopfloor.cli", "db", "migrate"], env=env, check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["200", "True"], out.stderr


def test_a_pooled_postgresql_connection_is_reused_and_replaced_when_lost(settings_overrides):
    """``web.db_pool``: requests share connections; one the server dropped is replaced; a full pool
    is a 503 that says so, not a 500."""
    import threading

    import psycopg2
    import pytest
    from playhouse.pool import PooledPostgresqlDatabase

    from central import create_app

    url = settings_overrides["database.url"]
    if not url.startswith("postgresql://"):
        pytest.skip("a PostgreSQL pool")
    app = create_app({**settings_overrides, "database.url": url + "?application_name=sf-pool-test", "web.db_pool": 1})
    assert isinstance(database.obj, PooledPostgresqlDatabase)
    client = app.test_client()
    assert [client.get("/api/v1/health").status_code for _ in range(3)] == [200, 200, 200]
    assert len(database.obj._connections) == 1  # one connection, back in the pool after each request

    killer = psycopg2.connect(url)
    killer.autocommit = True
    with killer.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'sf-pool-test'")
        assert cur.fetchall() == [(True,)]
    killer.close()
    assert client.get("/api/v1/health").get_json() == {"status": "ok", "database": True}

    held, release = threading.Event(), threading.Event()

    def hold():  # another request thread keeps the only connection
        database.connect()
        held.set()
        release.wait(10)
        database.close()

    database.obj._wait_timeout = 1  # wait 1 s for a free connection here, not the 10 s served
    worker = threading.Thread(target=hold)
    worker.start()
    held.wait(10)
    try:
        busy = client.get("/api/v1/nothing", headers={"Accept": "application/json"})
    finally:
        release.set()
        worker.join()
    assert busy.status_code == 503 and "every database connection" in busy.get_json()["error"]
    assert busy.headers["Retry-After"] == "1"
    database.obj.close_all()
