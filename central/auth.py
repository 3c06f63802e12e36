"""Logins for people (server-side sessions), bearer tokens for machines, roles, and the login gate.

Every endpoint requires a login unless it is listed in ``PUBLIC_ENDPOINTS``; the gate runs
before every request, so a new route is protected without anyone remembering to. The same gate
applies token scopes and the rule that cost fields and overrides need a planner or higher
(``central.scopes``), so no route has to repeat them.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache, wraps

from flask import g, redirect, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from central import scopes, sessions
from central.db import database
from central.errors import Forbidden, NotFound, ValidationError
from central.models import ApiToken, User, utcnow
from central.models.users import ROLES, SCOPES

PUBLIC_ENDPOINTS = {"web.login", "api.health", "static", "favicon"}
PUBLIC_PREFIXES = ("public.",)  # the public work-request form blueprint
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
MIN_PASSWORD_SCORE = 3  # zxcvbn: 3 = "safely unguessable", 0-2 = common, short patterns, dictionary words


class Unauthorized(Exception):
    """No valid login on a request that needs one."""

    def __init__(self, message: str = "login required: send a session cookie or 'Authorization: Bearer <token>'"):
        super().__init__(message)
        self.message = message


def hash_password(password: str) -> str:
    """A salted scrypt hash of the password."""
    return generate_password_hash(password, method="scrypt")


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    # checked against when the user name is unknown, so both answers take as long
    return hash_password(secrets.token_hex(16))


def check_password_rule(password, username: str = "", full_name: str = "") -> str:
    """The password if it is long and hard enough to guess, else a ValidationError saying why."""
    from zxcvbn import zxcvbn

    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError("password", f"must be at most {MAX_PASSWORD_LENGTH} characters")
    # zxcvbn's cost grows with the length; the first 100 characters decide whether it is common
    verdict = zxcvbn(password[:100], user_inputs=[u for u in (username, full_name, "shopfloor") if u])
    if verdict["score"] < MIN_PASSWORD_SCORE:
        why = verdict["feedback"]["warning"] or "it is too easy to guess."
        raise ValidationError("password", f"is too easy to guess: {why.rstrip('.')}. "
                                          "Use a longer phrase of a few uncommon words")
    return password


def create_user(username: str, password: str, role: str = "viewer", full_name: str = "") -> User:
    """Create a login; the password must pass the rule and is stored hashed."""
    if not isinstance(username, str) or not username.strip() or len(username) > 64 or username != username.strip():
        raise ValidationError("username", "must be 1-64 characters without leading or trailing spaces")
    if role not in ROLES:
        raise ValidationError("role", f"must be one of {', '.join(ROLES)}, got {role!r}")
    check_password_rule(password, username, full_name)
    if User.select().where(User.username == username).exists():
        raise ValidationError("username", f"{username!r} already exists")
    return User.create(username=username, password_hash=hash_password(password), role=role, full_name=full_name)


def get_user(username: str) -> User:
    """The user with this name, or NotFound."""
    user = User.get_or_none(User.username == username)
    if user is None:
        raise NotFound("username", f"no user {username!r}")
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active user with this name and password, or None; as slow for unknown names as for known."""
    user = User.get_or_none(User.username == username)
    if user is None or not user.active:
        check_password_hash(_decoy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def set_password(user: User, password: str, *, keep_session: str | None = None) -> None:
    """Change a password and end the user's web sessions (but ``keep_session``, the one that asked)."""
    check_password_rule(password, user.username, user.full_name)
    with database.atomic():
        User.update(password_hash=hash_password(password), password_changed_at=utcnow()).where(User.id == user.id).execute()
        sessions.end_all(user, "password changed", keep=keep_session)


def set_active(user: User, active: bool) -> None:
    """Deactivate a user (ending their sessions and revoking their tokens), or activate them again."""
    with database.atomic():
        User.update(active=active).where(User.id == user.id).execute()
        if not active:
            sessions.end_all(user, "deactivated")
            ApiToken.update(revoked=True).where(ApiToken.user == user.id, ApiToken.revoked == False).execute()  # noqa: E712


def set_role(user: User, role: str) -> None:
    """Give a user another role; their sessions end so that none keeps the old one's pages open."""
    if role not in ROLES:
        raise ValidationError("role", f"must be one of {', '.join(ROLES)}, got {role!r}")
    with database.atomic():
        User.update(role=role).where(User.id == user.id).execute()
        sessions.end_all(user, "role changed")


def parse_scopes(value) -> tuple[str, ...]:
    """Scopes from a list or a space/comma-separated string; ``full`` means all of them."""
    words = value.replace(",", " ").split() if isinstance(value, str) else list(value or ())
    if words == ["full"]:
        return SCOPES
    bad = [w for w in words if w not in SCOPES]
    if bad or not words:
        raise ValidationError("scopes", f"must be 'full' or some of {', '.join(SCOPES)}, got {value!r}")
    return tuple(s for s in SCOPES if s in words)


def issue_token(user: User, name: str, scope=SCOPES, days: int | None = None) -> str:
    """Make a new API token for ``user`` with ``scope``, valid ``days`` (None or 0: no expiry).

    The clear token is returned once and never stored.
    """
    if not isinstance(name, str) or not name.strip() or len(name) > 64:
        raise ValidationError("name", "must be 1-64 characters")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 36500):
        raise ValidationError("days", f"must be a whole number of days 0-36500, got {days!r}")
    token = "sft_" + secrets.token_urlsafe(32)
    ApiToken.create(user=user, name=name.strip(), token_hash=hashlib.sha256(token.encode()).hexdigest(),
                    scopes=" ".join(parse_scopes(scope)), expires_at=utcnow() + timedelta(days=days) if days else None)
    return token


def list_tokens(user: User) -> list[ApiToken]:
    """A user's tokens, newest first."""
    return list(ApiToken.select().where(ApiToken.user == user.id).order_by(ApiToken.id.desc()))


def token_state(token: ApiToken) -> str:
    """active, expired or revoked."""
    if token.revoked:
        return "revoked"
    return "expired" if token.expires_at is not None and token.expires_at <= utcnow() else "active"


def revoke_token(token_id: int, user: User | None = None) -> ApiToken:
    """Revoke a token by id (of ``user`` when given); it stops working at once."""
    query = ApiToken.select().where(ApiToken.id == token_id)
    if user is not None:
        query = query.where(ApiToken.user == user.id)
    token = query.first()
    if token is None:
        raise NotFound("token", f"no token {token_id}")
    ApiToken.update(revoked=True).where(ApiToken.id == token.id).execute()
    token.revoked = True
    return token


def _token_caller(header: str) -> tuple[User, ApiToken]:
    token = header[len("Bearer "):].strip()
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = ApiToken.select(ApiToken, User).join(User).where(ApiToken.token_hash == digest).first()
    if row is None or row.revoked or not row.user.active:
        raise Unauthorized("the bearer token is unknown or revoked")
    now = utcnow()
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthorized(f"the bearer token expired at {row.expires_at.isoformat(timespec='seconds')}Z")
    if row.last_used_at is None or now - row.last_used_at > sessions.TOUCH_EVERY:
        ApiToken.update(last_used_at=now).where(ApiToken.id == row.id).execute()
    return row.user, row


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
    g.token = None
    endpoint = request.endpoint or ""
    public = endpoint in PUBLIC_ENDPOINTS or endpoint.startswith(PUBLIC_PREFIXES)
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        try:
            g.user, g.token = _token_caller(header)
            g.via_token = True
        except Unauthorized:
            if not public:
                raise
    elif "sid" in session:
        current = sessions.current(session["sid"])
        if current is None:
            session.clear()
        else:
            g.user = current.user
    if g.user is not None:
        scopes.check(g.user, g.token.scopes.split() if g.token is not None else None)
        return None
    if public:
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
