"""The Celery app's configuration, the beat schedule, and docker-compose.yml (no broker needed)."""
from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from celery.schedules import crontab

from engine.core.settings import PROJECT_ROOT, Settings
from tasks import celery_app, jobs, names, worker
from tasks.celery_app import beat_schedule, make_app

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def test_tasks_are_registered_by_their_constant_names_with_time_limits():
    app = make_app(Settings(broker_url="redis://127.0.0.1:6379/0"))
    registered = {name: app.tasks[name] for name in (
        names.SWEEP, names.DISPATCH_NOTICES, names.SEND_DIGESTS, names.FIRE_TIMERS,
        names.RAISE_NOTICE, names.RAISE_UNCLAIMED, names.DELIVER_NOTICE)}
    assert registered[names.SWEEP].run is jobs.sweep.run
    for task in registered.values():
        assert task.soft_time_limit and task.time_limit > task.soft_time_limit
    assert app.conf.task_default_queue == names.QUEUE
    assert app.conf.accept_content == ["json"] and app.conf.task_serializer == "json"
    assert app.conf.task_ignore_result  # no result backend configured: nothing kept
    assert app.conf.timezone == "Europe/Oslo"


def test_beat_sweeps_and_sends_every_interval_and_digests_daily():
    schedule = beat_schedule(Settings(sweep_interval=60, digest_hour=7))
    assert schedule["sweep"]["task"] == names.SWEEP
    assert schedule["sweep"]["schedule"] == 60.0
    assert schedule["dispatch-notices"] == {"task": names.DISPATCH_NOTICES, "schedule": 60.0,
                                            "options": {"expires": 59.0}}
    assert schedule["daily-digest"]["schedule"] == crontab(hour=7, minute=0)
    assert beat_schedule(Settings(sweep_interval=1))["sweep"]["options"] == {"expires": 1.0}


def test_a_worker_or_beat_without_a_broker_refuses_to_start(monkeypatch):
    monkeypatch.setattr(celery_app.app, "samflyt_settings", Settings())
    with pytest.raises(SystemExit, match="SAMFLYT_BROKER_URL"):
        celery_app._require_broker()
    monkeypatch.setattr(celery_app.app, "samflyt_settings", Settings(broker_url="redis://x"))
    celery_app._require_broker()


def test_business_time_comes_with_a_utc_offset():
    assert worker.business_time(None) is None
    moment = worker.business_time("2026-04-07T09:00:00+02:00")
    assert moment == datetime(2026, 4, 7, 7, 0, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=2)
    with pytest.raises(ValueError, match="UTC offset"):
        worker.business_time("2026-04-07T09:00:00")


def _compose() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())


def test_docker_compose_describes_the_scaled_deployment():
    services = _compose()["services"]
    assert {"postgres", "redis", "web", "worker", "beat", "mail"} <= set(services)
    assert services["web"]["command"][0] == "gunicorn"
    assert services["worker"]["command"][:4] == ["celery", "-A", "tasks.celery_app", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "tasks.celery_app", "beat"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["SAMFLYT_BROKER_URL"].startswith("redis://redis:")
        assert environment["SAMFLYT_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert environment["SAMFLYT_SMTP_HOST"] == "mail"
        assert set(services[name]["depends_on"]) == {"postgres", "redis", "init"}
    known = {f.upper() for f in Settings.__dataclass_fields__}
    for name, service in services.items():
        for variable in service.get("environment", {}):
            if variable.startswith("SAMFLYT_"):
                assert variable.removeprefix("SAMFLYT_") in known, f"{name}: {variable}"


def test_docker_compose_config_accepts_it():
    binary = shutil.which("docker-compose")
    if binary is None:
        message = "docker-compose is not installed (Debian package docker-compose)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run([binary, "-f", str(PROJECT_ROOT / "docker-compose.yml"), "config",
                             "-q"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
