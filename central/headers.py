"""Security headers on every response: no framing, no MIME sniffing, a content security policy.

Pages may run only scripts served by central itself or inline ``<script nonce="{{ csp_nonce() }}">``
blocks; inline event handlers (``onclick=``) are not allowed. Styles may be inline.
"""
from __future__ import annotations

import secrets

from flask import Flask, g, request

POLICY = ("default-src 'self'; script-src 'self'{nonce}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def csp_nonce() -> str:
    """The nonce that lets an inline script of this response run (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_headers(app: Flask, https: bool) -> None:
    """Register the after-request hook and the ``csp_nonce`` template function."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        nonce = g.get("csp_nonce")
        headers.setdefault("Content-Security-Policy", POLICY.format(nonce=f" 'nonce-{nonce}'" if nonce else ""))
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if g.get("user") is not None and response.mimetype == "text/html":
            headers.setdefault("Cache-Control", "no-store")  # signed-in pages stay out of shared caches
        if https and request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
