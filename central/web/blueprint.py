"""The HTML blueprint. Feature modules add their pages to it; ``central/web/__init__`` imports them."""
from flask import Blueprint

web = Blueprint("web", __name__)
