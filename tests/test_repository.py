"""The repository sets itself up from what it holds: pinned Python packages, one asset script,
and no path that leads outside the checkout.

- requirements/lock.txt pins (==, with hashes) every dependency pyproject.toml names, runtime and
  the `test` extra; requirements/lock-runtime.txt is its runtime part at the same versions.
  `make lock` writes both.
- scripts/setup.sh and the Dockerfile install Python packages only from a lock, and copy the
  browser assets only through scripts/assets.sh.
- No tracked file refers to a path outside the repository (a fresh clone has nothing beside it).
"""
from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
RUNTIME_LOCK = ROOT / "requirements" / "lock-runtime.txt"
SETUP = ROOT / "scripts" / "setup.sh"
DOCKERFILE = ROOT / "Dockerfile"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BASH = shutil.which("bash") or "/bin/bash"

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")


def _pyproject_requirements() -> tuple[list[Requirement], list[Requirement]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = [Requirement(text) for text in project["dependencies"]]
    test = [Requirement(text) for text in project["optional-dependencies"]["test"]]
    return runtime, test


def _logical_lines(text: str) -> list[str]:
    """The lines of a requirements file, shell script or Dockerfile with continuations joined
    and comments left out."""
    lines = []
    for line in text.replace("\\\n", " ").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            lines.append(" ".join(line.split()))
    return lines


def _lock_entries(path: Path) -> dict[str, tuple[str, list[str]]]:
    """{canonical name: (pinned version, hashes)} of a requirements-style lock."""
    entries = {}
    for line in _logical_lines(path.read_text()):
        requirement, *options = line.split(" --")
        match = PIN.match(requirement.strip())
        assert match, f"{path.name}: not an exact pin: {line[:80]}"
        hashes = [option.split("=", 1)[1] for option in options if option.startswith("hash=")]
        entries[canonicalize_name(match[1])] = (match[2], hashes)
    return entries


def test_every_dependency_in_pyproject_is_pinned_in_the_lock():
    runtime, test = _pyproject_requirements()
    locked = _lock_entries(LOCK)
    problems = []
    for requirement in runtime + test:
        name = canonicalize_name(requirement.name)
        if name not in locked:
            problems.append(f"{requirement} is not in the lock")
        elif not requirement.specifier.contains(locked[name][0], prereleases=True):
            problems.append(f"{requirement}: the lock pins {locked[name][0]}")
    assert not problems, "run `make lock` after changing pyproject.toml:\n" + "\n".join(problems)


def _added_by_extras(requirement: Requirement) -> set[str]:
    """The distributions `requirement`'s extras add (psycopg[binary] adds psycopg-binary), also
    through the extras those ask for (celery[redis] asks for kombu[redis], which adds redis), read
    from the installed distributions' metadata."""
    added = set()
    for extra in requirement.extras:
        for text in importlib.metadata.requires(requirement.name) or []:
            needed = Requirement(text)
            if needed.marker and needed.marker.evaluate({"extra": extra}) \
                    and not needed.marker.evaluate({"extra": ""}):
                added.add(canonicalize_name(needed.name))
                added |= _added_by_extras(needed)
    return added


def test_the_packages_extras_add_are_pinned_too():
    runtime, test = _pyproject_requirements()
    locked = _lock_entries(LOCK)
    added = set().union(*(_added_by_extras(requirement) for requirement in runtime + test))
    assert {"psycopg-binary", "redis"} <= added  # psycopg[binary] and celery[redis]
    assert sorted(added - locked.keys()) == []


def test_the_runtime_lock_is_the_runtime_part_of_the_lock_at_the_same_versions():
    runtime, test = _pyproject_requirements()
    locked = _lock_entries(LOCK)
    runtime_locked = _lock_entries(RUNTIME_LOCK)
    for requirement in runtime:
        assert canonicalize_name(requirement.name) in runtime_locked, str(requirement)
    differing = {name: (version, locked.get(name, ("missing",))[0])
                 for name, (version, _) in runtime_locked.items()
                 if locked.get(name, (None,))[0] != version}
    assert not differing, f"run `make lock`: runtime lock vs lock: {differing}"
    runtime_names = {canonicalize_name(r.name) for r in runtime}
    for requirement in test:
        name = canonicalize_name(requirement.name)
        if name not in runtime_names:
            assert name not in runtime_locked, f"{name} (test extra) is in the runtime lock"


@pytest.mark.parametrize("lock", [LOCK, RUNTIME_LOCK], ids=lambda path: path.name)
def test_every_pin_carries_its_hashes(lock):
    unhashed = [name for name, (_, hashes) in _lock_entries(lock).items()
                if not hashes or not all(h.startswith("sha256:") for h in hashes)]
    assert not unhashed


def _install_commands(path: Path) -> list[str]:
    return [line for line in _logical_lines(path.read_text()) if "pip install" in line]


@pytest.mark.parametrize(("script", "lock"), [(SETUP, "requirements/lock.txt"),
                                              (DOCKERFILE, "requirements/lock-runtime.txt")],
                         ids=["setup.sh", "Dockerfile"])
def test_python_packages_are_installed_only_from_the_lock(script, lock):
    commands = _install_commands(script)
    assert any(f"--require-hashes -r {lock}" in command for command in commands)
    assert any("--no-deps -e ." in command for command in commands)
    for command in commands:
        from_lock = f"-r {lock}" in command
        own_package = "--no-deps" in command
        pip_itself = command.endswith("--upgrade pip")
        assert from_lock or own_package or pip_itself, f"{script.name} resolves: {command}"


@pytest.mark.parametrize("script", [SETUP, DOCKERFILE], ids=["setup.sh", "Dockerfile"])
def test_browser_assets_are_copied_only_by_the_asset_script(script):
    lines = _logical_lines(script.read_text())
    assert any(re.search(r"\bbash scripts/assets\.sh\b", line) for line in lines)
    copies_itself = [line for line in lines if "node_modules/" in line]
    assert not copies_itself


def _vendor_files_the_pages_load() -> set[str]:
    """Paths under webui/static/vendor named by the templates (a literal path, or a prefix joined
    with each name of a `{% for x in (...) %}` loop) and by the browser tests."""
    wanted = set()
    sources = [*(ROOT / "webui" / "templates").rglob("*.html"),
               *(ROOT / "webui" / "static" / "js").rglob("*.js"),
               *(ROOT / "tests" / "browser").rglob("*.py")]
    for source in sources:
        text = source.read_text()
        wanted.update(re.findall(r"""/?vendor/([\w./-]+\.(?:js|css))["']""", text))
        for prefix, variable in re.findall(r"""'vendor/([\w./-]+/)'\s*\+\s*(\w+)""", text):
            loop = re.search(r"{%\s*for\s+" + re.escape(variable) + r"\s+in\s+\(([^)]*)\)", text)
            assert loop, f"{source.name}: vendor/{prefix} + {variable} without its loop"
            wanted.update(prefix + name for name in re.findall(r"""["']([^"']+)["']""", loop[1]))
    return wanted


def test_the_asset_script_provides_every_vendor_file_the_pages_load(tmp_path):
    if not (ROOT / "node_modules" / "bpmn-js").is_dir():
        message = "node_modules is missing: `npm ci` (scripts/setup.sh) installs it"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    vendor = tmp_path / "vendor"
    subprocess.run([BASH, str(ROOT / "scripts" / "assets.sh"), str(vendor)], check=True,
                   timeout=60)

    wanted = _vendor_files_the_pages_load()
    assert {"bpmn-js/bpmn-navigated-viewer.production.min.js",
            "bpmn-js/bpmn-modeler.production.min.js",
            "dmn-js/dmn-modeler.production.min.js", "dmn-js/dmn-js-drd.css",
            "axe-core/axe.min.js"} <= wanted  # the scan itself finds what it must
    assert sorted(path for path in wanted if not (vendor / path).is_file()) == []

    # Fonts and images the copied style sheets load by relative URL are there too.
    missing = []
    for sheet in vendor.rglob("*.css"):
        for url in re.findall(r"""url\(['"]?([^'")]+)""", sheet.read_text()):
            if not url.startswith("data:"):
                target = (sheet.parent / re.split(r"[?#]", url)[0]).resolve()
                if not target.is_file():
                    missing.append(f"{sheet.relative_to(vendor)}: {url}")
    assert missing == []

    # Run again over the existing set: the script replaces it whole (setup is idempotent).
    (vendor / "stale.js").write_text("")
    subprocess.run([BASH, str(ROOT / "scripts" / "assets.sh"), str(vendor)], check=True,
                   timeout=60)
    assert not (vendor / "stale.js").exists()
    assert (vendor / "axe-core" / "axe.min.js").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["vendor"]  # no build directory left over


# A path out of the checkout: the shared folder beside it, the development machine's absolute
# paths, the parent of the repository root. (Written so that this file does not match itself.)
OUTSIDE = re.compile(r"\.\./shared\b|(?<![\w-])/work(?=/)|\bROOT\.parent\b")
# `Path(__file__)` followed by `.parent`s and/or `.parents[k]`.
FILE_ANCHOR = re.compile(r"Path\(__file__\)(?:\.resolve\(\))?((?:\.parent\b)*)"
                         r"(?:\.parents\[(\d+)\])?")


def _tracked_text_files() -> dict[str, str]:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        message = "the tracked files are read with git, in a git checkout"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    listed = subprocess.run([git, "ls-files", "-z"], cwd=ROOT, check=True,
                            capture_output=True, timeout=60).stdout
    files = {}
    for name in listed.decode().split("\0"):
        path = ROOT / name
        if not name or not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary
        try:
            files[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # binary
    return files


def test_no_tracked_file_refers_to_a_path_outside_the_repository():
    files = _tracked_text_files()
    assert "pyproject.toml" in files and "tests/test_repository.py" in files
    found = []
    for name, text in files.items():
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{name}:{number}: {line.strip()[:100]}")
            if name.endswith(".py"):
                depth = name.count("/")  # directories between the root and the file
                for parents, index in FILE_ANCHOR.findall(line):
                    up = parents.count(".parent") + (int(index) + 1 if index else 0)
                    if up > depth + 1:
                        found.append(f"{name}:{number}: {line.strip()[:100]}")
    assert found == []


def test_the_outside_path_check_finds_what_it_is_meant_to():
    """The patterns above, on lines that must match and lines that must not."""
    # Each split in two, so that this file's own lines do not match.
    outside = ["BENCH_DIR = ROOT" + ".parent / 'shared'", "see .." + "/shared/bench/README.md",
               "cd /wo" + "rk/main && make"]
    inside = ["BENCH_DIR = ROOT / 'tests' / 'fixtures'", "docs/benchmarks.md",
              "the network/workers are", "ROOT.parents_of"]
    assert all(OUTSIDE.search(line) for line in outside)
    assert not any(OUTSIDE.search(line) for line in inside)
    [(parents, index)] = FILE_ANCHOR.findall("Path(__file__)" + ".resolve().parent.parents[2]")
    assert (parents.count(".parent"), index) == (1, "2")


#: A line a merge left unresolved (split so this file does not match itself).
CONFLICT_MARKER = re.compile(r"^(" + "<" * 7 + " |" + ">" * 7 + " )")


def test_no_tracked_file_holds_an_unresolved_merge():
    found = [f"{name}:{number}"
             for name, text in _tracked_text_files().items()
             for number, line in enumerate(text.splitlines(), 1)
             if CONFLICT_MARKER.match(line)]
    assert found == []
    assert CONFLICT_MARKER.match("<" * 7 + " HEAD") and not CONFLICT_MARKER.match("<" * 6)
