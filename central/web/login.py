"""Signing in and out of the web admin."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from central.auth import authenticate
from central.web.blueprint import web


class LoginForm(FlaskForm):
    """User name and password."""

    username = StringField("User name", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired()])


def _safe_next(target: str | None) -> str:
    # Only same-site paths, so a crafted link cannot bounce a fresh login to another site.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("web.home")


@web.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with user name and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            session.clear()
            session.permanent = True
            session["user_id"] = user.id
            return redirect(_safe_next(request.args.get("next")))
        flash("Wrong user name or password.", "error")
    return render_template("login.html", form=form), (200 if request.method == "GET" else 401)


@web.post("/logout")
def logout():
    """Sign out."""
    session.clear()
    return redirect(url_for("web.login"))
