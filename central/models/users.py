"""People who log in to the web admin and API, and tokens for machines."""
from __future__ import annotations

import peewee as pw

from central.models.base import BaseModel, utcnow

ROLES = ("admin", "supervisor", "planner", "technician", "operator", "viewer")


class User(BaseModel):
    """A login. Passwords are stored only as a salted hash."""

    username = pw.CharField(max_length=64, unique=True)
    password_hash = pw.CharField(max_length=256)
    role = pw.CharField(max_length=16, default="viewer")
    full_name = pw.CharField(max_length=128, default="")
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)


class ApiToken(BaseModel):
    """A bearer token for a machine caller; only its SHA-256 is stored."""

    user = pw.ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    name = pw.CharField(max_length=64)
    token_hash = pw.CharField(max_length=64, unique=True)
    created_at = pw.DateTimeField(default=utcnow)
    last_used_at = pw.DateTimeField(null=True)
    revoked = pw.BooleanField(default=False)
