"""The English catalog covers every message of the web UI; the new CLI commands."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from click.testing import CliRunner

from webui.cli import _demo_login_lines, main

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "webui" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def test_english_catalog_translates_every_message(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "webui" / "babel.cfg"), "-o", str(pot), str(ROOT / "webui")],
                   check=True, capture_output=True)
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot.open("rb")) if m.id}
    catalog = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in read_po(CATALOG.open("rb")) if m.id}
    missing = sorted(extracted - set(catalog))
    assert missing == [], f"run pybabel update and translate: {missing}"
    untranslated = [k for k, m in catalog.items() if not (m.string if isinstance(m.string, str)
                                                          else all(m.string))]
    assert untranslated == []
    assert (CATALOG.with_suffix(".mo")).exists(), "scripts/setup.sh compiles the catalog"


def test_users_token_and_password_commands(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMFLYT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("SAMFLYT_PROCESSES_DIR", str(ROOT / "tests" / "fixtures" / "bench"))
    runner = CliRunner()
    run = lambda *a, **k: runner.invoke(main, list(a), catch_exceptions=False, **k)  # noqa: E731
    assert run("init").exit_code == 0
    assert run("users", "add", "kari", "--role", "saksbehandler").exit_code == 0
    result = run("users", "token", "kari")
    assert result.exit_code == 0 and result.output.startswith("sft_")
    assert run("users", "token", "nobody").exit_code == 1
    result = run("users", "password", "kari", input="demo\ndemo\n")
    assert result.exit_code == 0 and "password set for kari" in result.output
    assert run("users", "password", "kari", "--password", "x").exit_code == 1  # too short
    from engine.core.settings import Settings
    from engine.environment import EngineEnvironment
    env = EngineEnvironment(Settings.from_env())
    assert _demo_login_lines(env) == ["Demo users (password «demo»):",
                                      "  kari                 saksbehandler"]
    env.dispose()


def test_every_notice_kind_has_words_in_the_web_ui():
    """The web UI's (translatable) texts match the engine's kinds, word for word in bokmål."""
    import flask
    from flask_babel import Babel

    from engine.notices.notice_board import KIND_LABELS
    from webui.filters import notice_text
    app = flask.Flask(__name__)
    Babel(app)
    with app.test_request_context():
        for kind, words in KIND_LABELS.items():
            assert notice_text(kind) == words
        assert notice_text("something_new") == "En sak trenger oppfølging"
