"""The nynorsk and English catalogs cover every message of the web UI and every text the engine
marks for translation (N_), with the msgid's placeholders; messages.pot is what extraction
gives; the new CLI commands."""
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from click.testing import CliRunner

from engine.accounts import credentials, users
from engine.core.settings import Settings
from engine.environment import EngineEnvironment
from webui.cli import _demo_login_lines, main

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "webui" / "translations"
CATALOG = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
NYNORSK = TRANSLATIONS / "nn" / "LC_MESSAGES" / "messages.po"
#: The placeholders a translation must keep: %(name)s / %(n)d for Python, {n} for the scripts.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def _extract(tmp_path, *folders: str) -> set[str]:
    """The msgids pybabel extracts from `folders` with webui/babel.cfg (as the catalog is made)."""
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "webui" / "babel.cfg"), "-o", str(pot),
                    *(str(ROOT / folder) for folder in folders)],
                   check=True, capture_output=True)
    return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot.open("rb")) if m.id}


def _catalog(path: Path = CATALOG) -> dict:
    return {(m.id if isinstance(m.id, str) else m.id[0]): m for m in read_po(path.open("rb"))
            if m.id}


def _translated(message) -> bool:
    return bool(message.string if isinstance(message.string, str) else all(message.string))


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_the_template_is_what_extraction_gives(tmp_path):
    """messages.pot holds exactly the msgids of webui/ and engine/ (re-extract with the command
    in README.md when this fails), so a catalog checked against it misses nothing."""
    assert set(_catalog(TRANSLATIONS / "messages.pot")) == _extract(tmp_path, "webui", "engine")


def test_nynorsk_catalog_translates_every_message():
    """Every msgid of messages.pot has a nynorsk translation that is not fuzzy; the failure
    lists the msgids to translate (pybabel update, then fill in the msgstr)."""
    template = _catalog(TRANSLATIONS / "messages.pot")
    catalog = _catalog(NYNORSK)
    missing = sorted(set(template) - set(catalog))
    assert missing == [], f"run pybabel update and translate into nynorsk: {missing}"
    untranslated = sorted(key for key in template if not _translated(catalog[key]))
    assert untranslated == [], f"translate into nynorsk: {untranslated}"
    fuzzy = sorted(key for key in template if catalog[key].fuzzy)
    assert fuzzy == [], f"check the nynorsk and drop the fuzzy flag: {fuzzy}"
    assert NYNORSK.with_suffix(".mo").exists(), "scripts/setup.sh compiles the catalog"


def test_every_translation_keeps_the_placeholders_of_its_msgid():
    """A translation with a placeholder missing, added or renamed would fail (or show the
    wrong value) when the page or the engine fills it in; plural forms keep the plural's."""
    for path in (NYNORSK, CATALOG):
        mismatched = []
        for key, message in _catalog(path).items():
            source = message.id if isinstance(message.id, str) else message.id[1]
            strings = [message.string] if isinstance(message.string, str) else message.string
            mismatched += [(key, text) for text in strings
                           if text and _placeholders(text) != _placeholders(source)]
        assert mismatched == [], f"{path.parent.parent.name}: {mismatched}"


def test_english_catalog_translates_every_message(tmp_path):
    extracted = _extract(tmp_path, "webui", "engine")
    catalog = _catalog()
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
    assert result.exit_code == 1 and "minst 12 tegn" in result.output  # the policy
    env = EngineEnvironment(Settings.from_env())
    with env.unit_of_work() as ctx:  # as `samflyt demo` does for its own users
        users.get_user(ctx, "kari").password_hash = credentials.hash_password("demo")
    assert _demo_login_lines(env) == ["Demo users (password «demo»):",
                                      "  kari                 saksbehandler"]
    phrase = "fjord og fjell i mai"
    result = run("users", "password", "kari", input=f"{phrase}\n{phrase}\n")
    assert result.exit_code == 0 and "password set for kari" in result.output
    assert run("users", "password", "kari", "--password", "x").exit_code == 1  # too short
    assert _demo_login_lines(env) == []  # no longer on the published demo password
    env.dispose()


def test_every_engine_message_key_has_an_english_translation_with_its_parameters(tmp_path):
    """Every text the engine marks with N_ (error messages, field errors, role names, notice
    labels) is extracted and translated, and the English uses the same %(name)s parameters
    (a missing one would fail when the web UI fills it in)."""
    keys = _extract(tmp_path, "engine")
    assert len(keys) > 80  # the engine's texts were really found (N_ is a keyword)
    assert "Fant ikke sak %(case)s" in keys and "Saksbehandler" in keys
    catalog = _catalog()
    untranslated = sorted(key for key in keys if key not in catalog or not catalog[key].string)
    assert untranslated == []
    parameters = lambda text: sorted(re.findall(r"%\((\w+)\)", text))  # noqa: E731
    mismatched = [key for key in keys if parameters(key) != parameters(catalog[key].string)]
    assert mismatched == []
