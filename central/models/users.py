"""People who log in to the web admin and API, their sessions, and tokens for machines."""
from __future__ import annotations

import peewee as pw

from central.models.base import BaseModel, utcnow

ROLES = ("admin", "supervisor", "planner", "technician", "operator", "viewer")
# What a token may do; a token carries one or more, and never more than its user's role allows.
SCOPES = ("read", "moves", "cost", "override", "write")


class User(BaseModel):
    """A login. Passwords are stored only as a salted hash."""

    username = pw.CharField(max_length=64, unique=True)
    password_hash = pw.CharField(max_length=256)
    role = pw.CharField(max_length=16, default="viewer")
    full_name = pw.CharField(max_length=128, default="")
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)
    password_changed_at = pw.DateTimeField(null=True)


class ApiToken(BaseModel):
    """A bearer token for a machine caller; only its SHA-256 is stored."""

    user = pw.ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    name = pw.CharField(max_length=64)
    token_hash = pw.CharField(max_length=64, unique=True)
    created_at = pw.DateTimeField(default=utcnow)
    last_used_at = pw.DateTimeField(null=True)
    revoked = pw.BooleanField(default=False)
    scopes = pw.CharField(max_length=64, default=" ".join(SCOPES))  # space-separated, from SCOPES
    expires_at = pw.DateTimeField(null=True)  # None: never


class WebSession(BaseModel):
    """A web login, kept on the server so that logout, a password change or deactivation ends it.

    The browser's signed cookie holds only a random key; its SHA-256 is stored here.
    """

    key_hash = pw.CharField(max_length=64, unique=True)
    user = pw.ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_at = pw.DateTimeField(default=utcnow)
    last_seen_at = pw.DateTimeField(default=utcnow)
    ended_at = pw.DateTimeField(null=True)
    end_reason = pw.CharField(max_length=32, null=True)
    client = pw.CharField(max_length=64, default="")  # remote address at login

    class Meta:
        indexes = [(("user", "ended_at"), False)]


class RateCounter(BaseModel):
    """A sign-in throttling counter (Flask-Limiter's fixed window), shared by every web worker."""

    key = pw.CharField(max_length=255, primary_key=True)
    count = pw.IntegerField(default=0)
    expires_at = pw.DoubleField(index=True)  # epoch seconds: the window's end
