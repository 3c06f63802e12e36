"""Logins for people (session cookie), bearer tokens for machines, roles, and the login gate.

Every endpoint requires a login unless it is listed in ``PUBLIC_ENDPOINTS``; the gate runs
before every request, so a new route is protected without anyone remembering to.
"""
from __future__ import annotations

import hashlib
import secrets
from functools import wraps

from flask import g, redirect, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from central.errors import Forbidden, ValidationError
from central.models import ApiToken, User, utcnow
from central.models.users import ROLES

PUBLIC_ENDPOINTS = {"web.login", "api.health", "static"}
PUBLIC_PREFIXES = ("public.",)  # the public work-request form blueprint


class Unauthorized(Exception):
    """No valid login on a request that needs one."""


def hash_password(password: str) -> str:
    """A salted scrypt hash of the password."""
    return generate_password_hash(password, method="scrypt")


def create_user(username: str, password: str, role: str = "viewer", full_name: str = "") -> User:
    """Create a login; the password is stored hashed."""
    if not username or len(username) > 64:
        raise ValidationError("username", "must be 1-64 characters")
    if role not in ROLES:
        raise ValidationError("role", f"must be one of {', '.join(ROLES)}, got {role!r}")
    if len(password) < 8:
        raise ValidationError("password", "must be at least 8 characters")
    if User.select().where(User.username == username).exists():
        raise ValidationError("username", f"{username!r} already exists")
    return User.create(username=username, password_hash=hash_password(password), role=role, full_name=full_name)


def authenticate(username: str, password: str) -> User | None:
    """The active user with this name and password, or None."""
    user = User.get_or_none(User.username == username)
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        return None
    return user


def issue_token(user: User, name: str) -> str:
    """Make a new API token for ``user``; the clear token is returned once and never stored."""
    token = "sft_" + secrets.token_urlsafe(32)
    ApiToken.create(user=user, name=name, token_hash=hashlib.sha256(token.encode()).hexdigest())
    return token


def _user_from_token(header: str) -> User | None:
    token = header[len("Bearer "):].strip()
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = (ApiToken.select(ApiToken, User).join(User)
           .where(ApiToken.token_hash == digest, ApiToken.revoked == False, User.active == True)  # noqa: E712
           .first())
    if row is None:
        return None
    ApiToken.update(last_used_at=utcnow()).where(ApiToken.id == row.id).execute()
    return row.user


def is_api_request() -> bool:
    """True when the caller wants JSON (an /api path or an Accept header that prefers it)."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def login_gate():
    """before_request: find the caller, or refuse (401 JSON for APIs, redirect for pages)."""
    g.user = None
    g.via_token = False
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.user = _user_from_token(header)
        g.via_token = g.user is not None
    elif "user_id" in session:
        g.user = User.get_or_none(User.id == session["user_id"], User.active == True)  # noqa: E712
    endpoint = request.endpoint or ""
    if g.user is not None or endpoint in PUBLIC_ENDPOINTS or endpoint.startswith(PUBLIC_PREFIXES):
        return None
    if is_api_request() or endpoint == "" and request.path.startswith("/api/"):
        raise Unauthorized()
    return redirect(url_for("web.login", next=request.full_path if request.query_string else request.path))


def require_role(*roles: str):
    """Decorator: the logged-in user must have one of ``roles`` (admin always may)."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if g.user is None or (g.user.role != "admin" and g.user.role not in roles):
                raise Forbidden("", f"needs role {' or '.join(roles)}")
            return view(*args, **kwargs)
        return wrapped
    return decorate
