"""Signing in a Flask test client through the real login form (CSRF token and all)."""
import re


def csrf(page: str) -> str:
    """The CSRF token of a rendered form."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def sign_in(client, username: str, password: str, path: str = "/login"):
    """Post the login form; returns the response (302 on success, 401 wrong, 429 throttled)."""
    token = csrf(client.get("/login").get_data(as_text=True))
    return client.post(path, data={"username": username, "password": password, "csrf_token": token})
