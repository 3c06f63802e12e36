"""The flags page refuses to close a flag without a note."""
from central.db import database
from central.flags import raise_flag
from central.models import Flag


def test_closing_without_a_note_is_refused(client, admin_user, app):
    import re

    with database.connection_context():
        flag = raise_flag("x", "y")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": admin_user[0], "password": admin_user[1], "csrf_token": token})
    page = client.get("/flags").get_data(as_text=True)  # signing in starts a new session and token
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    resp = client.post(f"/flags/{flag.id}/resolve", data={"resolution": "", "csrf_token": token}, follow_redirects=True)
    assert "Say what was done" in resp.get_data(as_text=True)
    with database.connection_context():
        assert Flag.get_by_id(flag.id).resolved_at is None
