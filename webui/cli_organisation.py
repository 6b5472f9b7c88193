"""`samflyt units ...`: the organisation's units and their members, changed through the
administration's operations (engine/administration/unit_admin.py), audited under the
command-line operator."""
from __future__ import annotations

import sys

import click

from engine.administration import unit_admin
from engine.administration.operator import command_line_operator
from engine.core.errors import EngineError
from engine.core.settings import Settings
from engine.environment import EngineEnvironment
from engine.organisation import units
from engine.organisation.kinds import UNIT_KINDS


def _fail(message: str) -> None:
    click.echo(f"feil: {message}", err=True)
    sys.exit(1)


def _run(work):
    env = EngineEnvironment(Settings.from_env())
    try:
        with env.unit_of_work() as ctx:
            return work(ctx)
    except EngineError as error:
        details = "; ".join(f"{k}: {v}" for k, v in (getattr(error, "errors", None) or {})
                            .items())
        _fail(str(error) + (f" ({details})" if details else ""))
    finally:
        env.dispose()


@click.group("units")
def units_group() -> None:
    """Manage the organisation's units and who belongs to them."""


@units_group.command("add")
@click.argument("key")
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice(sorted(UNIT_KINDS)))
def units_add(key, name, kind) -> None:
    """Add unit KEY (a short name: hjemmetjenesten) called NAME."""
    _run(lambda ctx: unit_admin.add_unit(ctx, command_line_operator(), key, name, kind))
    click.echo(f"added unit {key}")


@units_group.command("list")
def units_list() -> None:
    """Every unit with its members (the home unit's members marked *)."""
    def show(ctx):
        for unit in units.all_units(ctx):
            members = ", ".join(units.members(ctx, unit.id)) or "-"
            click.echo(f"{unit.key}\t{unit.name}\t{unit.kind}\t{members}")
    _run(show)


@units_group.command("join")
@click.argument("key")
@click.argument("username")
@click.option("--home", is_flag=True, help="Make it the user's home unit (where the cases "
                                           "they register go).")
def units_join(key, username, home) -> None:
    """USERNAME joins unit KEY."""
    _run(lambda ctx: unit_admin.add_member(ctx, command_line_operator(), key, username,
                                           home=home))
    click.echo(f"{username} joined {key}")


@units_group.command("leave")
@click.argument("key")
@click.argument("username")
def units_leave(key, username) -> None:
    """USERNAME leaves unit KEY."""
    _run(lambda ctx: unit_admin.remove_member(ctx, command_line_operator(), key, username))
    click.echo(f"{username} left {key}")
