"""Scripts in diagrams run with a CPU-time and a memory limit (issue 13, finding 10: a loop
of 4 * 10**7 steps and a 200 MB string ran unbounded)."""
import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.cases import casework
from engine.core.errors import ProcessError
from engine.definitions import store
from engine.workflow.script_limits import ScriptLimitExceeded
from engine.workflow.scripting import RestrictedScriptEngine

GOOD = Path(__file__).resolve().parents[1] / "fixtures" / "good"
CPU = "CPU time"
MEMORY = "MB"


@pytest.fixture
def environment():
    engine = RestrictedScriptEngine(clock=lambda: datetime(2026, 12, 5, tzinfo=UTC),
                                    cpu_seconds=0.05, memory_mb=5)
    return engine.environment


@pytest.mark.parametrize(("script", "limit"), [
    ("n = 0\nfor i in range(40000000):\n    n += 1", CPU),  # the finding: 4 * 10**7 steps
    ("s = 'a' * 200000000", MEMORY),  # the finding: a 200 MB string
    ("while True:\n    pass", CPU),
    ("x = [[i for i in range(10**6)] for j in range(10**6)]", CPU),
    ("x = sum(i for i in range(10**9))", CPU),
    ("def f(n):\n    while n >= 0:\n        n = n + 1\n    return n\nr = f(0)", CPU),
    ("x = 10**10**8", MEMORY),
    ("x = [0]*10**9", MEMORY),
    ("x = 10**9 * 'ab'", MEMORY),
    ("x = 'x'.ljust(10**9)", MEMORY),
    ("x = 'x'.zfill(10**9)", MEMORY),
    ("x = ('a' * 1000).replace('a', 'b' * 100000)", MEMORY),
    ("x = '\\t'.expandtabs(10**9)", MEMORY),
    ("s = 'ab'\nwhile True:\n    s = s + s", MEMORY),
    ("s = 'ab'\nfor i in range(64):\n    s += s", MEMORY),
    ("x = '%0999999999d' % 1", MEMORY),
    ("x = '%*d' % (10**9, 1)", MEMORY),
    ("x = list(range(10**9))", MEMORY),
    ("x = sorted(range(10**9))", MEMORY),
    ("x = 1 << 10**10", MEMORY),
    ("x = ','.join(str(i) for i in range(10**8))", CPU),
])
def test_a_script_over_a_limit_stops_with_a_clear_message(environment, script, limit):
    with pytest.raises(ScriptLimitExceeded, match=limit):
        environment.execute(script, {})


def test_an_expression_is_limited_too(environment):
    with pytest.raises(ScriptLimitExceeded, match=MEMORY):
        environment.evaluate("len('a' * 10**9) > 0", {})


def test_ordinary_scripts_are_untouched(environment):
    data = {"a": 2, "navn": "Kari"}
    environment.execute("b = a * 3\nc = [x * 2 for x in range(10)]\nd = ', '.join(['x', 'y'])\n"
                        "e = '%s-%d' % ('a', 3)\nf = navn.upper() + '!' * 3\n"
                        "g = 2 ** 10\nh = 1 << 4\nk = sorted([3, 1, 2])\n", data)
    assert data == {"a": 2, "navn": "Kari", "b": 6, "c": [0, 2, 4, 6, 8, 10, 12, 14, 16, 18],
                    "d": "x, y", "e": "a-3", "f": "KARI!!!", "g": 1024, "h": 16,
                    "k": [1, 2, 3]}
    assert environment.evaluate("a > 1 and len(navn * 3) == 12", data) is True


def test_the_step_names_the_element_and_keeps_no_data(ctx, make_user):
    officer = make_user("siri", "saksbehandler")
    looping = (GOOD / "vurdering.bpmn").read_text(encoding="utf-8")
    start = looping.index("<bpmn:script>") + len("<bpmn:script>")
    end = looping.index("</bpmn:script>")
    looping = looping[:start] + "n = 0\nwhile True:\n    n = n + 1" + looping[end:]
    store.deploy_files(ctx, {"vurdering.bpmn": looping.encode(),
                             "vurdering_form.json":
                                 (GOOD / "forms" / "vurdering_form.json").read_bytes(),
                             "vurdering.dmn": (GOOD / "dmn" / "vurdering.dmn").read_bytes()},
                       "tests")
    limited = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings,
                                                                    script_cpu_ms=50))
    with pytest.raises(ProcessError) as raised:
        casework.start_case(limited, {"fodselsdato": "1970-03-01"}, officer,
                            process_key="vurdering_test")
    message = str(raised.value)
    assert raised.value.element
    assert "Beregn alder" in message or "beregn_alder" in message
    assert "CPU" in message and "1970-03-01" not in message
