"""Fixtures of the page tests."""
import pytest

from central.auth import create_user
from central.db import database


@pytest.fixture
def supervisor(app):
    """A supervisor login: (username, password)."""
    with database.connection_context():
        create_user("sue", "supervisor sunrise", "supervisor", "Sue")
    return "sue", "supervisor sunrise"
