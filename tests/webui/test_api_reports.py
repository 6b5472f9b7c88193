"""The KPR extract through the API and the command line: JSON and CSV, who may take it,
a clear error for a bad year."""
from __future__ import annotations

import csv
import io
from datetime import date

from click.testing import CliRunner

from engine.persons import identity
from engine.reports import kpr
from tests.letter_cases import sent_digitally
from webui.cli import main


def test_the_extract_through_the_api(api, engine_do, web_env):
    import dataclasses
    web_env.settings = dataclasses.replace(web_env.settings, digital_channel="")
    sent_digitally(web_env, serial=730)  # a decision granting IP and a coordinator, 2026
    leader = api("leder1")
    answer = leader.get("/api/v1/reports/kpr?year=2026")
    assert answer.status_code == 200, answer.json
    assert answer.json["count"] == 1 and answer.json["due"] == "2027-01-15"
    [row] = answer.json["rows"]
    number = identity.synthetic(date(1970, 3, 1), 730)
    assert row["fodselsnummer"] == number and row["ip_vedtak_dato"] == "2026-01-05"
    assert row["koordinator_vedtak_dato"] == "2026-01-05" and row["aar"] == 2026
    as_csv = leader.get("/api/v1/reports/kpr?year=2026&format=csv")
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(as_csv.get_data(as_text=True)), delimiter=";"))
    assert table[0] == list(kpr.COLUMNS) and table[1][2] == number
    bad = leader.get("/api/v1/reports/kpr?year=tjuetjueseks")
    assert bad.status_code == 422 and "year" in bad.json["errors"]
    assert leader.get("/api/v1/reports/kpr?year=2026&format=xml").status_code == 422
    assert api("saksbehandler1").get("/api/v1/reports/kpr?year=2026").status_code == 403


def test_the_extract_from_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMFLYT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    runner = CliRunner()
    assert runner.invoke(main, ["init"], catch_exceptions=False).exit_code == 0
    assert runner.invoke(main, ["users", "add", "kim", "--role", "koordinerende_enhet"],
                         catch_exceptions=False).exit_code == 0
    out = tmp_path / "kpr.csv"
    result = runner.invoke(main, ["kpr-export", "--year", "2025", "--as", "kim", "--output",
                                  str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").splitlines() == [";".join(kpr.COLUMNS)]
    assert "0 person(s)" in result.output and "due 2026-01-15" in result.output
    refused = runner.invoke(main, ["kpr-export", "--year", "1999", "--as", "kim"])
    assert refused.exit_code == 1 and "year" in refused.output
