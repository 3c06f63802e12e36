"""What a new plant needs before anyone can log in: the first admin."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from central.auth import create_user
from central.db import database
from central.models import User

INITIAL_PASSWORD_FILE = "initial-admin-password"


def seed_defaults(settings) -> tuple[str, str] | None:
    """Create user ``admin`` with a random password if there is no user yet.

    The password is written to ``data_dir/initial-admin-password`` (mode 600) so it can be
    shown again until changed (`shopfloor user password admin` or the web page); once it has
    been changed the file is removed. Returns (username, password) when it was just created or
    is still on file and valid, else None.
    """
    path = Path(settings["data_dir"]) / INITIAL_PASSWORD_FILE
    with database.connection_context():
        if not User.select().exists():
            password = secrets.token_urlsafe(12)
            with database.atomic():
                create_user("admin", password, "admin", "Administrator")
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(password + "\n")
            return "admin", password
        changed = User.select().where(User.username == "admin", User.password_changed_at.is_null(False)).exists()
    if path.exists() and changed:
        path.unlink()
    if path.exists():
        return "admin", path.read_text().strip()
    return None
