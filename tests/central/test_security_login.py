"""Sign-in: throttled per user name and per client, as slow for unknown names, a password rule,
passwords changed and users deactivated from the command line, safe redirects after sign-in."""
import pytest
from click.testing import CliRunner

from central import auth
from central.db import database
from central.errors import ValidationError
from central.models import ApiToken, User, WebSession
from shopfloor.cli import main
from tests.central.websupport import sign_in


@pytest.fixture
def settings_overrides(settings_overrides):
    return {**settings_overrides, "web.login_limit_user": "3 per minute", "web.login_limit_client": "6 per minute"}


def test_failed_sign_ins_per_user_are_throttled_even_for_the_right_password(app, admin_user):
    name, password = admin_user
    wrong = [sign_in(app.test_client(), name, "not it at all").status_code for _ in range(3)]
    assert wrong == [401, 401, 401]
    other_client = app.test_client()
    other_client.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    blocked = sign_in(other_client, name, password)  # another client, same user name: still blocked
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert sign_in(other_client, name.upper() + " ", "x").status_code == 429  # case and spaces do not escape it


def test_every_web_worker_counts_the_same_attempts(app, admin_user, settings_overrides):
    from central import create_app

    other_worker = create_app(settings_overrides)  # another process on the same database
    for worker in (app, other_worker, app):
        assert sign_in(worker.test_client(), admin_user[0], "not it at all").status_code == 401
    assert sign_in(other_worker.test_client(), *admin_user).status_code == 429


def test_successful_sign_ins_do_not_use_up_the_user_limit(app, admin_user):
    for n in range(4):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{n}"
        assert sign_in(client, *admin_user).status_code == 302


def test_one_client_trying_many_user_names_is_throttled(app, admin_user):
    client = app.test_client()
    answers = [sign_in(client, f"guess{n}", "password guess").status_code for n in range(7)]
    assert answers == [401] * 6 + [429]
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert sign_in(elsewhere, *admin_user).status_code == 302


def test_an_unknown_user_costs_a_password_check_like_a_known_one(app, admin_user, monkeypatch):
    checks = []
    real = auth.check_password_hash

    def counting(stored, given):
        checks.append(stored.split("$")[0])
        return real(stored, given)

    monkeypatch.setattr(auth, "check_password_hash", counting)
    with database.connection_context():
        assert auth.authenticate("nobody", "whatever it is") is None
        assert auth.authenticate(admin_user[0], "wrong one here") is None
        User.update(active=False).execute()
        assert auth.authenticate(admin_user[0], admin_user[1]) is None
    assert len(checks) == 3 and len(set(checks)) == 1  # same scrypt work on every path


@pytest.mark.parametrize("password", ["12345678", "password", "aaaaaaaa", "password123", "qwertyuiop", "short", "boss-boss-boss"])
def test_short_and_common_passwords_are_refused(db, password):
    with pytest.raises(ValidationError) as err:
        auth.create_user("boss", password, "admin")
    assert err.value.field == "password"
    assert not User.select().exists()


def test_a_long_uncommon_phrase_is_accepted(db):
    assert auth.create_user("ann", "copper kettle drifts north", "viewer").username == "ann"


def _cli(settings_overrides, *args, password=None):
    env = {"SHOPFLOOR_DATABASE_URL": settings_overrides["database.url"], "SHOPFLOOR_DATA_DIR": settings_overrides["data_dir"]}
    if password is not None:
        env["SHOPFLOOR_NEW_PASSWORD"] = password
    return CliRunner().invoke(main, ["user", *args], env=env)


def test_cli_refuses_a_weak_password(app, settings_overrides):
    result = _cli(settings_overrides, "create", "kim", "--role", "planner", password="12345678")
    assert result.exit_code == 2 and "password: must be at least 10 characters" in result.output


def test_cli_password_and_deactivate_end_sessions_and_tokens(app, admin_user, settings_overrides):
    browser = app.test_client()
    assert sign_in(browser, *admin_user).status_code == 302
    assert browser.get("/").status_code == 200
    result = _cli(settings_overrides, "password", admin_user[0], password="gravel orchard ninety")
    assert result.exit_code == 0, result.output
    assert browser.get("/").status_code == 302  # the old session ended
    assert sign_in(app.test_client(), *admin_user).status_code == 401
    assert sign_in(browser, admin_user[0], "gravel orchard ninety").status_code == 302

    token = _cli(settings_overrides, "token", admin_user[0], "--name", "scale", "--scope", "read").output.strip()
    api = app.test_client()
    assert api.get("/api/v1/items", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert _cli(settings_overrides, "deactivate", admin_user[0]).exit_code == 0
    assert browser.get("/").status_code == 302
    assert api.get("/api/v1/items", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    with database.connection_context():
        assert not WebSession.select().where(WebSession.ended_at.is_null()).exists()
        assert ApiToken.get(ApiToken.name == "scale").revoked
    assert sign_in(app.test_client(), admin_user[0], "gravel orchard ninety").status_code == 401
    assert _cli(settings_overrides, "activate", admin_user[0]).output == f"{admin_user[0]} activated\n"
    assert sign_in(app.test_client(), admin_user[0], "gravel orchard ninety").status_code == 302
    assert api.get("/api/v1/items", headers={"Authorization": f"Bearer {token}"}).status_code == 401  # stays revoked


def test_cli_tokens_list_and_revoke(app, admin_user, settings_overrides):
    token = _cli(settings_overrides, "token", admin_user[0], "--name", "line-3", "--scope", "read,moves", "--days", "30").output.strip()
    listing = _cli(settings_overrides, "tokens", admin_user[0]).output
    token_id, name, scopes, *_ , state = listing.strip().split("\t")
    assert (name, scopes, state) == ("line-3", "read moves", "active")
    assert _cli(settings_overrides, "revoke-token", admin_user[0], token_id).exit_code == 0
    resp = app.test_client().get("/api/v1/items", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401 and "revoked" in resp.get_json()["error"]
    assert _cli(settings_overrides, "token", admin_user[0], "--scope", "everything").exit_code == 2


@pytest.mark.parametrize("target", ["/%09/evil.example/", "/%0A/x", "//evil.example/", "/\\evil.example", "https://evil.example/",
                                    "/%0D%0ASet-Cookie:x=1", "javascript:alert(1)", "/%5C%5Cevil.example"])
def test_sign_in_never_redirects_off_site_or_fails(app, admin_user, target):
    resp = sign_in(app.test_client(), *admin_user, path=f"/login?next={target}")
    assert resp.status_code == 302 and resp.headers["Location"] == "/"


def test_sign_in_returns_to_a_page_of_this_site(app, admin_user):
    resp = sign_in(app.test_client(), *admin_user, path="/login?next=/flags%3Fopen%3D1")
    assert resp.status_code == 302 and resp.headers["Location"] == "/flags?open=1"


def test_the_initial_admin_password_file_goes_once_the_password_is_changed(db, settings_overrides):
    from pathlib import Path

    from central.config import load_settings
    from central.seed import INITIAL_PASSWORD_FILE, seed_defaults

    settings = load_settings(overrides=settings_overrides)
    name, first = seed_defaults(settings)
    assert seed_defaults(settings) == (name, first)  # still valid: shown again
    auth.set_password(User.get(User.username == name), "quartz window saddle")
    assert seed_defaults(settings) is None
    assert not (Path(settings["data_dir"]) / INITIAL_PASSWORD_FILE).exists()
