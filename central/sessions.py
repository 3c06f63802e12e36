"""Web logins kept on the server: each has an idle and an absolute expiry and can be ended.

The browser's signed cookie carries only a random key. Logout, a password change, a role change
and deactivation end sessions here, so a copied cookie stops working at once.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, request

from central.models import User, WebSession, utcnow

TOUCH_EVERY = timedelta(seconds=60)  # last-seen times are written at most this often


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _limits() -> tuple[timedelta, timedelta]:
    settings = current_app.config["SHOPFLOOR"]
    return timedelta(minutes=settings["web.session_idle_minutes"]), timedelta(hours=settings["web.session_hours"])


def start(user: User) -> str:
    """Open a session for ``user``; returns the key for the cookie (only its hash is stored)."""
    key = secrets.token_urlsafe(32)
    WebSession.create(key_hash=_digest(key), user=user.id, client=(request.remote_addr or "")[:64])
    return key


def current(key) -> WebSession | None:
    """The open session with this key (its user joined), or None when it ended or expired."""
    if not isinstance(key, str):
        return None
    row = (WebSession.select(WebSession, User).join(User)
           .where(WebSession.key_hash == _digest(key), WebSession.ended_at.is_null()).first())
    if row is None:
        return None
    idle, absolute = _limits()
    now = utcnow()
    if not row.user.active:
        _end(row, "deactivated")
        return None
    if now - row.created_at > absolute or now - row.last_seen_at > idle:
        _end(row, "expired")
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        WebSession.update(last_seen_at=now).where(WebSession.id == row.id).execute()
    return row


def _end(row: WebSession, reason: str) -> None:
    WebSession.update(ended_at=utcnow(), end_reason=reason).where(
        WebSession.id == row.id, WebSession.ended_at.is_null()).execute()


def end(key, reason: str = "logout") -> None:
    """End the session with this key (nothing happens for an unknown key)."""
    if isinstance(key, str):
        WebSession.update(ended_at=utcnow(), end_reason=reason).where(
            WebSession.key_hash == _digest(key), WebSession.ended_at.is_null()).execute()


def end_all(user: User, reason: str, keep: str | None = None) -> int:
    """End every open session of ``user`` except the one with key ``keep``; returns how many."""
    query = WebSession.update(ended_at=utcnow(), end_reason=reason).where(
        WebSession.user == user.id, WebSession.ended_at.is_null())
    if keep:
        query = query.where(WebSession.key_hash != _digest(keep))
    return query.execute()


def open_sessions(user: User) -> list[WebSession]:
    """A user's sessions that have not ended (some may have expired without a request since)."""
    return list(WebSession.select().where(WebSession.user == user.id, WebSession.ended_at.is_null())
                .order_by(WebSession.id.desc()))
