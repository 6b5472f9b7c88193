"""The settings as views read them. There is one settings module, engine/settings.py; the
app keeps the instance it was created with."""
from __future__ import annotations

from flask import current_app

from engine.core.settings import Settings


def settings() -> Settings:
    return current_app.extensions["samflyt_settings"]
