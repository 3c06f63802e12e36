"""Signing in and out of the web admin, and changing one's own password."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from central import sessions
from central.auth import MAX_PASSWORD_LENGTH, authenticate, set_password
from central.errors import ValidationError
from central.web.blueprint import web


class LoginForm(FlaskForm):
    """User name and password."""

    username = StringField("User name", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])


class PasswordForm(FlaskForm):
    """The current password and a new one, twice."""

    current = PasswordField("Current password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    new = PasswordField("New password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    again = PasswordField("New password again", validators=[DataRequired(), EqualTo("new", "the two new passwords differ")])


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the start page.

    Browsers drop tabs and line breaks from URLs and read ``\\`` as ``/``, so ``/\\t/evil`` would
    become ``//evil``, another site: anything with a control character, a backslash, a scheme or
    a host is refused.
    """
    fallback = url_for("web.home")
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


@web.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with user name and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            old = session.get("sid")
            if old:
                sessions.end(old, "signed in again")
            session.clear()
            session.permanent = True
            session["sid"] = sessions.start(user)
            return redirect(safe_next(request.args.get("next")))
        flash("Wrong user name or password.", "error")
    return render_template("login.html", form=form), (200 if request.method == "GET" else 401)


@web.post("/logout")
def logout():
    """Sign out: the session ends on the server too, so a copy of the cookie is useless."""
    sessions.end(session.get("sid"), "logout")
    session.clear()
    return redirect(url_for("web.login"))


@web.route("/account/password", methods=["GET", "POST"])
def account_password():
    """Change one's own password; every other session of this user ends."""
    form = PasswordForm()
    if g.via_token:
        raise ValidationError("", "a password is changed in the browser, not with a token")
    if form.validate_on_submit():
        if authenticate(g.user.username, form.current.data) is None:
            form.current.errors = list(form.current.errors) + ["this is not your current password"]
        else:
            try:
                set_password(g.user, form.new.data, keep_session=session.get("sid"))
            except ValidationError as exc:
                form.new.errors = list(form.new.errors) + [exc.message]
            else:
                flash("Password changed; your other sessions have ended.", "ok")
                return redirect(url_for("web.home"))
    return render_template("account_password.html", form=form), (400 if form.errors else 200)
