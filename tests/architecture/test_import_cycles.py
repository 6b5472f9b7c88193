"""No import cycles in engine/ or webui/ (docs/architecture.md, "Packages")."""
from __future__ import annotations

from pathlib import Path

from tests.architecture import import_graph

ROOT = Path(__file__).resolve().parents[2]


def test_engine_and_webui_import_no_cycle():
    graph = import_graph.build(ROOT, ("engine", "webui", "tasks"))
    assert len(graph) > 60  # the tree was really read
    assert import_graph.cycles(graph) == []


def test_engine_imports_neither_flask_nor_celery():
    for path in (ROOT / "engine").rglob("*.py"):
        text = path.read_text()
        for word in ("import flask", "from flask", "import celery", "from celery",
                     "from webui", "from tasks"):
            assert word not in text, f"{path.relative_to(ROOT)}: {word}"


def _write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_a_cycle_is_found_also_through_a_function_and_a_relative_import(tmp_path):
    _write(tmp_path, "pkg/__init__.py", "")
    _write(tmp_path, "pkg/sub/__init__.py", "")
    _write(tmp_path, "pkg/a.py", "from pkg.sub import b\n")
    _write(tmp_path, "pkg/sub/b.py", "def f():\n    from ..c import thing\n")
    _write(tmp_path, "pkg/c.py", "from . import a\nthing = 1\n")
    _write(tmp_path, "pkg/d.py", "from pkg import a\n")  # on the way in, not on the cycle
    graph = import_graph.build(tmp_path, ("pkg",))
    assert graph["pkg.sub.b"] == {"pkg.c"}
    assert import_graph.cycles(graph) == [["pkg.a", "pkg.c", "pkg.sub.b"]]


def test_an_import_only_for_type_checking_is_no_cycle(tmp_path):
    _write(tmp_path, "pkg/__init__.py", "")
    _write(tmp_path, "pkg/a.py", "from pkg import b\n")
    _write(tmp_path, "pkg/b.py", "from typing import TYPE_CHECKING\n"
                                 "if TYPE_CHECKING:\n    from pkg import a\n")
    assert import_graph.cycles(import_graph.build(tmp_path, ("pkg",))) == []
