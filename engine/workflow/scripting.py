"""Restricted execution of the Python found in diagrams (conditions, timers, scripts).

Diagrams are edited in the browser, so their Python is untrusted: ``exec`` with "safe"
globals is no sandbox (``().__class__.__base__.__subclasses__()`` escapes it). Everything is
compiled with RestrictedPython instead: names and attributes starting with ``_`` are refused
at compile time, attribute access goes through ``safer_getattr``, imports, class definitions
and calls such as ``open``/``eval`` are refused, and only a short list of builtins exists.
This guards against escapes; engine/workflow/script_limits.py bounds the CPU time and
memory one evaluation may spend.

Semantics follow SpiffWorkflow's ``TaskDataEnvironment``: expressions are evaluated against
the task data; scripts read and write the task data; helpers, functions a script defines and
the guards never end up in the task data. Compiled code is cached by source text, because
the same few expressions run for every case.
"""

from __future__ import annotations

import ast
import functools
import operator
import textwrap
from collections.abc import Callable
from datetime import UTC, date, datetime
from types import CodeType
from typing import NamedTuple, cast
from zoneinfo import ZoneInfo

from RestrictedPython import (
    PrintCollector,
    RestrictingNodeTransformer,
    compile_restricted_eval,
    compile_restricted_exec,
    safe_builtins,
)
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import (
    BasePythonScriptEngineEnvironment,
    PythonScriptEngine,
)
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.deadlines import calendar, legal
from engine.workflow import script_limits
from engine.workflow.script_limits import GUARDED_OPERATORS, MATERIALISING

HELPER_NAMES = frozenset(
    {"today", "now", "add_duration", "next_working_day", "deadline", "birthday", "parse_date",
     "legal_date", "legal_warning", "add_working_days", "due_date"}
)
# Called by name these would be escapes or I/O; none exists in the builtins anyway, but a clear
# compile-time message beats a NameError at run time.
_FORBIDDEN_CALLS = frozenset(
    {"open", "exec", "eval", "compile", "globals", "locals", "vars", "dir", "getattr", "setattr",
     "delattr", "breakpoint", "input", "help", "type", "object", "super", "memoryview"}
)
_BUILTINS = {
    name: value for name, value in safe_builtins.items()
    if name not in {"__build_class__", "setattr", "delattr", "_getattr_"}
}
_BUILTINS.update(min=min, max=max, sum=sum, sorted=sorted, any=any, all=all, list=list,
                 dict=dict, set=set, tuple=tuple, enumerate=enumerate, zip=zip)
# builtins that build a container from an argument check the running budget first
_BUILTINS.update({name: script_limits.materialise(_BUILTINS[name])
                  for name in MATERIALISING if name in _BUILTINS})
# Item access is allowed on plain data only, never on arbitrary objects with __getitem__.
_ITEM_TYPES = (dict, list, tuple, str, range)
#: The in-place operators the budget checks first, by their AST operator's name.
_INPLACE_NAMES = {"*=": "Mult", "**=": "Pow", "<<=": "LShift", "+=": "Add", "%=": "Mod"}
_INPLACE = {"+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
            "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow,
            "<<=": operator.ilshift, ">>=": operator.irshift, "|=": operator.ior,
            "^=": operator.ixor, "&=": operator.iand}


class ScriptRefused(ValueError):
    """The source does not compile under the restrictions; the message lists every reason."""


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus: no imports, no classes, no calls to forbidden builtins."""

    def visit_Import(self, node):
        self.error(node, "imports are not allowed")
        return node

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node):
        self.error(node, "class definitions are not allowed")
        return node

    def visit_Call(self, node):
        if isinstance(node.func, ast.Name) and node.func.id in _FORBIDDEN_CALLS:
            self.error(node, f'"{node.func.id}" is not available in scripts')
            # refused: the arguments are still checked, but RestrictedPython's own refusal of
            # exec and eval would say it a second time
            return self.node_contents_visit(node)
        return super().visit_Call(node)

    # the budget's hooks (engine/workflow/script_limits.py), added after the checks above
    def visit_BinOp(self, node):
        node = super().visit_BinOp(node)
        name = type(node.op).__name__
        if name not in GUARDED_OPERATORS:
            return node
        call = ast.Call(func=ast.Name("_binop_", ast.Load()),
                        args=[ast.Constant(name), node.left, node.right], keywords=[])
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_While(self, node):
        node = super().visit_While(node)
        node.body.insert(0, _tick(node))
        return node

    def visit_FunctionDef(self, node):
        node = super().visit_FunctionDef(node)
        node.body.insert(0, _tick(node))
        return node


def _tick(node) -> ast.stmt:
    call = ast.Expr(ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[]))
    return ast.fix_missing_locations(ast.copy_location(call, node))


class _Compiled(NamedTuple):
    code: CodeType | None  # None when it did not compile: `errors` says why
    errors: tuple[str, ...]
    helper_refs: frozenset[str]  # helper names the source mentions


@functools.lru_cache(maxsize=4096)
def _compile(source: str, mode: str) -> _Compiled:
    """Compile once per distinct source text; errors are cached too (diagrams do not change)."""
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    text = source.strip() if mode == "eval" else textwrap.dedent(source)
    try:
        result = compiler(text, filename="<string>", policy=_Policy)
    except SyntaxError as err:  # parsed, but refused when compiled: `yield` or `return` outside
        return _Compiled(None, (f"Line {err.lineno}: SyntaxError: {err.msg}",), frozenset())
    except (ValueError, RecursionError, MemoryError) as err:  # null bytes, absurd nesting
        return _Compiled(None, (f"cannot compile: {err.__class__.__name__}: {err}",), frozenset())
    return _Compiled(result.code, tuple(result.errors),
                     HELPER_NAMES.intersection(result.used_names))


def check_script(source: object, mode: str) -> list[str]:
    """Error messages for ``source`` compiled restricted in ``mode`` ("exec" or "eval");
    [] if fine."""
    if mode not in ("exec", "eval"):
        raise ValueError(f"mode must be 'exec' or 'eval', not {mode!r}")
    if not isinstance(source, str):
        return [f"expected Python source text, got {type(source).__name__}"]
    if mode == "eval" and not source.strip():
        return ["the expression is empty"]
    return list(_compile(source, mode).errors)


def _compiled(source: str, mode: str) -> _Compiled:
    if not isinstance(source, str):
        raise ScriptRefused(f"expected Python source text, got {type(source).__name__}")
    compiled = _compile(source, mode)
    if compiled.errors:
        raise ScriptRefused("; ".join(compiled.errors))
    return compiled


def _guarded_getitem(obj, key):
    if not isinstance(obj, _ITEM_TYPES):
        raise TypeError(f"item access is not allowed on {type(obj).__name__}")
    return obj[key]


def _inplacevar(op: str, target, value):
    name = _INPLACE_NAMES.get(op)
    return script_limits.binop(name, target, value) if name else _INPLACE[op](target, value)


def _budgeted_getattr(obj, name, default=None):
    return script_limits.guard_method(obj, name, safer_getattr(obj, name, default))


def _apply(func, *args, **kwargs):
    return func(*args, **kwargs)


# Set after the task data in every namespace, so task data can never replace a guard.
_GUARDS = {
    "_getattr_": _budgeted_getattr,
    "_getitem_": _guarded_getitem,
    "_getiter_": script_limits.iterate,
    "_tick_": script_limits.tick,
    "_binop_": script_limits.binop,
    "_write_": full_write_guard,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_inplacevar_": _inplacevar,
    "_apply_": _apply,
    "_print_": PrintCollector,
}


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Task-data environment whose code is compiled restricted; ``globals`` are the helpers.
    Each evaluation runs on a fresh `Budget` of CPU time and memory."""

    def __init__(self, helpers: dict[str, Callable], cpu_seconds: float = 1.0,
                 memory_mb: int = 50):
        super().__init__(helpers)
        self._fixed = {"__builtins__": {**_BUILTINS, **helpers}, **_GUARDS}
        self.cpu_seconds, self.memory_mb = cpu_seconds, memory_mb

    def _namespace(self, compiled: _Compiled, context: dict, external_context: dict | None) -> dict:
        if compiled.helper_refs and not compiled.helper_refs.isdisjoint(context):
            clash = sorted(compiled.helper_refs.intersection(context))
            raise ValueError(f"task data overwrites the predefined function(s) {clash}: "
                             f"rename these fields")
        namespace = {**external_context, **context} if external_context else dict(context)
        namespace.update(self._fixed)
        return namespace

    def evaluate(self, expression, context, external_context=None):
        compiled = _compiled(expression, "eval")
        # RestrictedPython compiled it (`_compiled` refuses a source with errors, so `code` is
        # set); the namespace holds only the guarded builtins
        namespace = self._namespace(compiled, context, external_context)
        return script_limits.run_limited(self.cpu_seconds, self.memory_mb, eval,
                                         cast(CodeType, compiled.code), namespace)

    def execute(self, script, context, external_context=None):
        compiled = _compiled(script, "exec")
        namespace = self._namespace(compiled, context, external_context)
        script_limits.run_limited(self.cpu_seconds, self.memory_mb, exec,
                                  cast(CodeType, compiled.code), namespace)
        self._write_back(namespace, context, external_context)
        return True

    def _write_back(self, namespace: dict, context: dict, external_context: dict | None) -> None:
        """Copy the script's variables into the task data, leaving out everything else."""
        for key in [key for key in context if key not in namespace]:
            del context[key]  # the script said `del key`
        fixed = self._fixed
        for key, value in namespace.items():
            if key in fixed or callable(value) or (isinstance(key, str) and key.startswith("_")):
                continue
            if external_context and key in external_context and key not in context:
                continue
            if isinstance(value, date):  # keep task data JSON: dates as ISO strings
                value = value.isoformat()
            context[key] = value

    def call_service(self, context, **kwargs):
        raise NotImplementedError("service tasks are not supported")


def _describe(err: BaseException) -> str:
    return f"{err.__class__.__name__}: {err}"


class RestrictedScriptEngine(PythonScriptEngine):
    """SpiffWorkflow script engine that runs diagram Python restricted, on an injected clock.

    ``clock`` is a zero-argument callable returning an aware UTC datetime; it is read at every
    call, so tests (and the timer sweep) may assign ``engine.clock`` at any time.
    ``holiday_calendar`` is anything supporting ``date in calendar``; default: Norway's.
    ``settings`` gives the legal rules' warning leads that are settings
    (engine/deadlines/legal.py); None: their defaults.
    """

    def __init__(self, clock: Callable[[], datetime], timezone: str = "Europe/Oslo",
                 holiday_calendar=None, cpu_seconds: float = 1.0, memory_mb: int = 50,
                 settings=None):
        self.clock = clock
        self.settings = settings
        self.timezone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
        self.holiday_calendar = (calendar.NORWEGIAN_HOLIDAYS if holiday_calendar is None
                                 else holiday_calendar)
        super().__init__(environment=RestrictedEnvironment(self._helpers(), cpu_seconds,
                                                           memory_mb))

    def now(self) -> datetime:
        """The injected clock's time (a naive clock value is taken as UTC)."""
        moment = self.clock()
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def today(self) -> date:
        """The injected clock's date in the municipality's time zone."""
        return self.now().astimezone(self.timezone).date()

    def _helpers(self) -> dict[str, Callable]:
        """The functions diagrams may call; dates in and out as ISO strings (see calendar.py)."""
        def today():
            return self.today().isoformat()

        def now():
            return self.now().isoformat()

        def add_duration(value, duration):
            return calendar.add_duration(value, duration, self.timezone)

        def next_working_day(value):
            return calendar.next_working_day(value, self.holiday_calendar, self.timezone)

        def deadline(value, duration):
            return calendar.deadline(value, duration, self.holiday_calendar, self.timezone)

        def birthday(value, years):
            return calendar.birthday(value, years)

        def add_working_days(value, amount):
            return calendar.add_working_days(value, amount, self.holiday_calendar, self.timezone)

        def due_date(start, amount, unit):
            """What the diagram editor's deadline control writes (calendar.due_date)."""
            return calendar.due_date(start, amount, unit, self.holiday_calendar, self.timezone)

        def parse_date(value):
            return calendar.parse_date(value, self.timezone)

        def legal_date(start, rule):
            """The legal date of `rule` (engine/deadlines/legal_rules.toml) from `start`,
            moved to a working day: every legal date in a diagram is computed with this."""
            return legal.legal_date(start, rule, self.holiday_calendar, self.timezone)

        def legal_warning(start, rule):
            """The day the warning of `rule` falls, before its legal date."""
            return legal.warning_date(start, rule, self.settings, self.holiday_calendar,
                                      self.timezone)

        return {f.__name__: f for f in (today, now, add_duration, next_working_day, deadline,
                                        birthday, parse_date, legal_date, legal_warning,
                                        add_working_days, due_date)}

    def evaluate(self, task, expression, external_context=None):
        """As SpiffWorkflow's, but the message says what went wrong, not only where."""
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as err:
            err.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as err:
            message = f"Error evaluating expression '{expression}': {_describe(err)}"
            raise WorkflowTaskException(message, task=task, exception=err) from err

    def create_task_exec_exception(self, task, script, err):
        """As SpiffWorkflow's, without its crash on exceptions whose first arg is not a string."""
        if isinstance(err, SpiffWorkflowException):
            return super().create_task_exec_exception(task, script, err)
        line_number, error_line = self.get_error_line_number_and_content(script, err)
        where = f" on line {line_number}" if line_number else ""
        return WorkflowTaskException(f"Error in script{where}: {_describe(err)}", task=task,
                                     exception=err, line_number=line_number, error_line=error_line)
