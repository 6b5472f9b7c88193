"""What a worker process builds once (after the fork, so no connection is shared between
processes): the engine environment and the e-mail sender, from the settings."""
from __future__ import annotations

import os
from datetime import datetime

from engine.core.settings import Settings
from engine.environment import EngineEnvironment
from engine.letters import outbox
from engine.notices import mailing

_state: dict = {}


def environment() -> EngineEnvironment:
    if _state.get("pid") != os.getpid():
        _state.clear()
        _state["env"] = EngineEnvironment(Settings.from_env())
        _state["pid"] = os.getpid()
    return _state["env"]


def sender():
    if "sender" not in _state or _state.get("pid") != os.getpid():
        settings = environment().settings
        _state["sender"] = mailing.sender_from_settings(settings)
    return _state["sender"]


def svarut():
    """The SvarUt client of the settings (None: digital mail is off)."""
    if "svarut" not in _state or _state.get("pid") != os.getpid():
        _state["svarut"] = outbox.client_for(environment().settings)
    return _state["svarut"]


def business_time(now: str | None) -> datetime | None:
    """A task's `now` argument (ISO 8601 with a UTC offset), or None for the clock's now.
    Tests and demonstrations pass it to move business time; beat never does."""
    if now is None:
        return None
    moment = datetime.fromisoformat(now)
    if moment.tzinfo is None:
        raise ValueError(f"now needs a UTC offset: {now!r}")
    return moment


def dispose() -> None:
    env = _state.pop("env", None)
    if env is not None:
        env.dispose()
    _state.clear()
