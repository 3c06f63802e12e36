"""The admin's users page: logins, roles, passwords, deactivation, sessions and API tokens."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, session, url_for
from peewee import fn
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from central import auth, sessions
from central.auth import require_role
from central.errors import ShopfloorError, ValidationError
from central.models import User, WebSession
from central.models.users import ROLES, SCOPES
from central.web.blueprint import web
from central.web.people import show_error

SCOPE_HELP = {"read": "read everything the role may see", "moves": "report stock moves and work-order material/output",
              "cost": "send cost fields (planner or higher)", "override": "send overrides such as allow_negative (planner or higher)",
              "write": "every other change the role may make"}


class NewUserForm(FlaskForm):
    """A new login."""

    username = StringField("User name", validators=[DataRequired(), Length(max=64)])
    full_name = StringField("Full name", validators=[Length(max=128)])
    role = SelectField("Role", choices=[(r, r) for r in ROLES], default="viewer")
    password = PasswordField("Password", validators=[DataRequired(), Length(max=auth.MAX_PASSWORD_LENGTH)])


class RoleForm(FlaskForm):
    """Another role."""

    role = SelectField("Role", choices=[(r, r) for r in ROLES])


class SetPasswordForm(FlaskForm):
    """A new password set by the admin."""

    password = PasswordField("New password", validators=[DataRequired(), Length(max=auth.MAX_PASSWORD_LENGTH)])


class TokenForm(FlaskForm):
    """A new API token: what it is for, its scopes and how long it lives."""

    name = StringField("What it is for", validators=[DataRequired(), Length(max=64)])
    scopes = SelectMultipleField("Scopes", choices=[(s, f"{s}: {SCOPE_HELP[s]}") for s in SCOPES], default=["read"],
                                 option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))
    days = IntegerField("Valid for days (0 = no expiry)", validators=[Optional(), NumberRange(0, 36500)])


class ActionForm(FlaskForm):
    """A button that only carries the CSRF token."""


@web.get("/users")
@require_role("admin")
def users():
    """Every login with its role, state and open sessions."""
    rows = list(User.select().order_by(User.username))
    open_counts = dict(WebSession.select(WebSession.user, fn.COUNT(WebSession.id)).where(WebSession.ended_at.is_null())
                       .group_by(WebSession.user).tuples())
    return render_template("users_list.html", users=rows, open_counts=open_counts)


@web.route("/users/new", methods=["GET", "POST"])
@require_role("admin")
def user_new():
    """Create a login."""
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = auth.create_user(form.username.data.strip(), form.password.data, form.role.data, (form.full_name.data or "").strip())
        except ShopfloorError as exc:
            show_error(form, exc)
        else:
            flash(f"User {user.username} created.", "ok")
            return redirect(url_for("web.user_detail", username=user.username))
    return render_template("users_new.html", form=form), (400 if form.errors else 200)


def _detail(user: User, status: int = 200, token: str | None = None, **forms):
    forms.setdefault("role_form", RoleForm(role=user.role))
    forms.setdefault("password_form", SetPasswordForm())
    forms.setdefault("token_form", TokenForm(formdata=None, days=None))
    tokens = auth.list_tokens(user)
    return render_template("users_detail.html", user=user, sessions=sessions.open_sessions(user), tokens=tokens,
                           state=auth.token_state, action=ActionForm(), new_token=token, **forms), status


@web.get("/users/<username>")
@require_role("admin")
def user_detail(username):
    """One login: role, password, active, sessions and tokens."""
    return _detail(auth.get_user(username))


def _not_self(user: User, what: str) -> None:
    if user.id == g.user.id:
        raise ValidationError("", f"you cannot {what} yourself; another admin can")


@web.post("/users/<username>/role")
@require_role("admin")
def user_role(username):
    """Change a user's role."""
    user = auth.get_user(username)
    form = RoleForm()
    if form.validate_on_submit():
        _not_self(user, "change the role of")
        auth.set_role(user, form.role.data)
        flash(f"{username} is now {form.role.data}; their sessions have ended.", "ok")
        return redirect(url_for("web.user_detail", username=username))
    return _detail(user, 400, role_form=form)


@web.post("/users/<username>/password")
@require_role("admin")
def user_password(username):
    """Set a user's password; their sessions end."""
    user = auth.get_user(username)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            auth.set_password(user, form.password.data, keep_session=session.get("sid"))
        except ValidationError as exc:
            form.password.errors = list(form.password.errors) + [exc.message]
        else:
            flash(f"Password of {username} changed; their sessions have ended.", "ok")
            return redirect(url_for("web.user_detail", username=username))
    return _detail(user, 400, password_form=form)


@web.post("/users/<username>/active")
@require_role("admin")
def user_active(username):
    """Deactivate a user (sessions end, tokens are revoked) or activate them again."""
    user = auth.get_user(username)
    if ActionForm().validate_on_submit():
        _not_self(user, "deactivate")
        auth.set_active(user, not user.active)
        flash(f"{username} {'deactivated: sessions ended, tokens revoked' if user.active else 'activated'}.", "ok")
    return redirect(url_for("web.user_detail", username=username))


@web.post("/users/<username>/sessions/end")
@require_role("admin")
def user_end_sessions(username):
    """End every web session of a user."""
    user = auth.get_user(username)
    if ActionForm().validate_on_submit():
        count = sessions.end_all(user, "ended by admin", keep=session.get("sid"))
        flash(f"{count} session(s) of {username} ended.", "ok")
    return redirect(url_for("web.user_detail", username=username))


@web.post("/users/<username>/tokens")
@require_role("admin")
def user_token_new(username):
    """Issue a token; it is shown once on the page that answers."""
    user = auth.get_user(username)
    form = TokenForm()
    if form.validate_on_submit():
        try:
            days = form.days.data if form.days.data is not None else _default_days()
            token = auth.issue_token(user, form.name.data, form.scopes.data, days)
        except ValidationError as exc:
            show_error(form, exc)
        else:
            return _detail(user, 201, token=token, token_form=TokenForm(formdata=None))
    return _detail(user, 400, token_form=form)


def _default_days() -> int:
    from flask import current_app

    return current_app.config["SHOPFLOOR"]["api.token_days"]


@web.post("/users/<username>/tokens/<int:token_id>/revoke")
@require_role("admin")
def user_token_revoke(username, token_id):
    """Revoke one token."""
    user = auth.get_user(username)
    if ActionForm().validate_on_submit():
        token = auth.revoke_token(token_id, user)
        flash(f"Token {token.name} revoked.", "ok")
    return redirect(url_for("web.user_detail", username=username))

