"""The `samflyt` command. Each command parses its arguments, runs engine operations in
one unit of work (committed at the end) and prints what it did."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from engine.accounts import users
from engine.accounts.roles import ROLES
from engine.administration.operator import command_line_operator
from engine.cases import plan_carry_over
from engine.core import logs
from engine.core.errors import DefinitionError, EngineError
from engine.core.settings import Settings, UnsafeSecretKey, require_secret_key
from engine.definitions import store
from engine.environment import EngineEnvironment
from webui.cli_audit import audit_group
from webui.cli_organisation import units_group


def _environment() -> EngineEnvironment:
    return EngineEnvironment(Settings.from_env())


def _fail(message: str) -> NoReturn:
    click.echo(f"feil: {message}", err=True)
    sys.exit(1)


@click.group()
def main() -> None:
    """Samflyt: individuell plan, koordinator og barnekoordinator."""
    logs.configure(Settings.from_env())


def processes_to_deploy(settings: Settings) -> dict[str, bytes]:
    """The files in SAMFLYT_PROCESSES_DIR; exits 1 when that is not a directory holding at
    least one .bpmn file (checked before the database is opened)."""
    processes_dir = Path(settings.processes_dir)
    if not processes_dir.is_dir():
        _fail(f"SAMFLYT_PROCESSES_DIR {processes_dir} is not a directory: nothing to deploy")
    files = store.read_directory(processes_dir)
    if not any(store.kind_of(name) == "bpmn" for name in files):
        _fail(f"SAMFLYT_PROCESSES_DIR {processes_dir} holds no .bpmn file: nothing to deploy")
    return files


def init_database(env: EngineEnvironment, files: dict[str, bytes] | None = None) -> list:
    """Upgrade the schema and deploy `files` (default: SAMFLYT_PROCESSES_DIR)."""
    files = processes_to_deploy(env.settings) if files is None else files
    env.upgrade_schema()
    with env.unit_of_work() as ctx:
        versions = store.deploy_files(ctx, files, "samflyt init")
        deployed = [(v.process_key, v.version) for v in versions]
    with env.unit_of_work() as ctx:  # plans kept in task data before issue 14
        for line in plan_carry_over.carry_over(ctx):
            click.echo(f"carried over {line}")
    return deployed


@main.command()
def init() -> None:
    """Create or upgrade the schema and deploy the processes in processes/."""
    settings = Settings.from_env()
    files = processes_to_deploy(settings)
    env = EngineEnvironment(settings)
    try:
        deployed = init_database(env, files)
    except DefinitionError as error:
        _print_problems(error)
        sys.exit(1)
    click.echo(f"database: {env.settings.database_url}")
    for key, version in deployed:
        click.echo(f"deployed {key} v{version}")


@main.command()
def demo() -> None:
    """Init, a demo user for each role, and sample cases in different states."""
    from engine.cases import demo as demo_data
    settings = Settings.from_env()
    if not settings.allow_synthetic_ids:
        raise click.ClickException(
            "the demo's persons have synthetic national numbers: run it with "
            "SAMFLYT_ALLOW_SYNTHETIC_IDS=on (as `make run` does), never in production")
    files = processes_to_deploy(settings)
    env = EngineEnvironment(settings)
    init_database(env, files)
    with env.unit_of_work() as ctx:
        created = demo_data.load(ctx)
    click.echo(f"database: {env.settings.database_url}")
    for line in created:
        click.echo(line)


main.add_command(units_group)
main.add_command(audit_group)


@main.group()
def processes() -> None:
    """Validate and deploy BPMN, DMN and form files."""


@processes.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
def validate_cmd(files) -> None:
    """Check FILES (and directories); one line per problem, exit 1 if any. Warnings (a
    legal deadline not computed with legal_date) are printed too, but do not fail."""
    from engine.definitions.validation import collect_problems_for_paths, legal_date_warnings
    problems = collect_problems_for_paths([Path(f) for f in files])
    for problem in problems:
        click.echo(str(problem))
    for warning in legal_date_warnings(_bpmn_files([Path(f) for f in files])):
        click.echo(f"warning: {warning}")
    if problems:
        sys.exit(1)
    click.echo(f"ok: {len(files)} file(s) valid")


def _bpmn_files(paths: list[Path]) -> dict[str, bytes]:
    """The BPMN files among `paths` (directories searched), by path."""
    found = [p for path in paths
             for p in (sorted(path.rglob("*.bpmn")) if path.is_dir() else [path])
             if p.suffix == ".bpmn"]
    return {str(p): p.read_bytes() for p in found}


@processes.command("deploy")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--by", "deployed_by", default="cli", help="Who deploys (for the audit).")
def deploy_cmd(files, deployed_by) -> None:
    """Validate FILES together and deploy them as new versions."""
    collected: dict[str, bytes] = {}
    for name in files:
        path = Path(name)
        collected.update(store.read_directory(path) if path.is_dir()
                         else {path.name: path.read_bytes()})
    env = _environment()
    try:
        with env.unit_of_work() as ctx:
            versions = store.deploy_files(ctx, collected, deployed_by)
    except DefinitionError as error:
        _print_problems(error)
        sys.exit(1)
    for version in versions:
        click.echo(f"deployed {version.process_key} v{version.version} "
                   f"({version.bundle_hash[:12]})")
    from engine.definitions.validation import legal_date_warnings
    for warning in legal_date_warnings(collected):
        click.echo(f"warning: {warning}")


@main.command("kpr-export")
@click.option("--year", type=int, required=True, help="The year reported (due 15 January after).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option("--as", "username", required=True,
              help="The user who takes the extract (koordinerende enhet or leder): audited.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file (default: standard output).")
def kpr_export(year, fmt, username, output) -> None:
    """The KPR extract of a year: each person's IP and coordinator status (docs/kpr.md)."""
    import json

    from engine.reports import kpr
    env = _environment()
    try:
        with env.unit_of_work() as ctx:
            found = kpr.extract(ctx, users.get_user(ctx, username), year)
            text = (kpr.to_csv(found) if fmt == "csv" else
                    json.dumps(kpr.to_json(found, ctx.now()), ensure_ascii=False, indent=2))
    except EngineError as error:
        _fail(str(error) + _field_errors(error))
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    click.echo(f"{len(found.rows)} person(s); {found.without_number} left out without a national "
               f"number; due {kpr.due_date(year).isoformat()}", err=True)


@main.command()
def sweep() -> None:
    """Fire what is due now (timers, deadline notices), send the immediate e-mails when
    SAMFLYT_SMTP_HOST is set, and print what happened."""
    from engine.notices import mailing
    from engine.scheduling import scheduler
    env = _environment()
    result = env.sweep()
    sender = mailing.sender_from_settings(env.settings)
    sent = scheduler.dispatch(env, sender) if sender is not None else None
    for line in result.lines() + (sent.lines() if sent else []):
        click.echo(line)
    click.echo(f"{len(result.fired)} timer(s) fired, {len(result.notices)} notice(s) raised")


@main.group("users")
def users_group() -> None:
    """Manage users."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option("--display-name", default=None)
@click.option("--email", default=None)
@click.option("--trained", is_flag=True, help="Has had the coordinator training.")
@click.option("--unit", "unit_keys", multiple=True,
              help="A unit the user belongs to (the first is their home unit); none given: "
                   "SAMFLYT_DEFAULT_UNIT.")
def users_add(name, roles, display_name, email, trained, unit_keys) -> None:
    """Add user NAME with one or more --role."""
    from engine.administration import people
    env = _environment()
    try:
        with env.unit_of_work() as ctx:
            people.add_user(ctx, command_line_operator(), name, roles,
                            display_name=display_name, email=email, trained=trained,
                            units=list(unit_keys) or None)
    except EngineError as error:
        _fail(str(error) + _field_errors(error))
    click.echo(f"added {name} ({', '.join(roles)})")


@main.command()
@click.option("--host", default=None, help="Default: SAMFLYT_HOST (127.0.0.1).")
@click.option("--port", default=None, type=int, help="Default: SAMFLYT_PORT (5000).")
def serve(host, port) -> None:
    """Run the web UI (waitress, SAMFLYT_SERVE_THREADS threads), with the timer sweep
    in-process every SAMFLYT_SWEEP_INTERVAL seconds. Ctrl-C stops it."""
    from .app import create_app
    from .background import start_sweeper
    from .wsgi import EmbeddedServer
    settings = Settings.from_env()
    host, port = host or settings.host, port or settings.port
    try:
        require_secret_key(settings, bind_host=host)
    except UnsafeSecretKey as error:
        _fail(str(error))
    app = create_app(settings)
    env = app.extensions["samflyt"]
    try:
        server = EmbeddedServer(app, host, port, settings.serve_threads)
    except OSError as error:
        env.dispose()
        _fail(f"cannot listen on {host}:{port}: {error.strerror or error}")
    if settings.broker_url:  # scaled: Celery beat and workers sweep and send e-mail
        sweeper = None
        click.echo(f"Samflyt: http://{host}:{port}/  (sweep by Celery: {settings.broker_url})")
    else:
        sweeper = start_sweeper(env, settings.sweep_interval)
        click.echo(f"Samflyt: http://{host}:{port}/  "
                   f"(timer sweep every {settings.sweep_interval} s)")
    for line in _demo_login_lines(env):
        click.echo(line)
    try:
        server.run()
    finally:
        if sweeper is not None:
            sweeper.stop()
        env.dispose()
    click.echo("Samflyt stopped")


def _field_errors(error: EngineError) -> str:
    return "".join(f"\n  {k}: {v}" for k, v in getattr(error, "errors", {}).items())


def _print_problems(error: DefinitionError) -> None:
    for problem in error.problems:
        click.echo(str(problem), err=True)
    click.echo(f"feil: {error}", err=True)


DEMO_PASSWORD = "demo"  # noqa: S105 - the demo users' published password


def _demo_login_lines(env: EngineEnvironment) -> list[str]:
    """Sign-in help for the embedded demo: users whose password is still the demo one."""
    from engine.accounts import credentials
    try:
        with env.unit_of_work() as ctx:
            demo_users = [(u.username, sorted(u.roles)) for u in
                          credentials.logins_with_password(ctx, DEMO_PASSWORD)]
    except Exception:  # noqa: BLE001 - no schema yet: nothing to print
        return []
    if not demo_users:
        return []
    return ([f"Demo users (password «{DEMO_PASSWORD}»):"]
            + [f"  {name:<20} {', '.join(roles)}" for name, roles in demo_users])


@users_group.command("deactivate")
@click.argument("name")
def users_deactivate(name) -> None:
    """Deactivate user NAME: no sign-in, their sessions end, their API tokens are refused.
    Their cases, tasks and audit trail stay as they are."""
    _set_active(name, False)
    click.echo(f"deactivated {name}")


@users_group.command("activate")
@click.argument("name")
def users_activate(name) -> None:
    """Activate user NAME again."""
    _set_active(name, True)
    click.echo(f"activated {name}")


def _set_active(name: str, active: bool) -> None:
    from engine.administration import people
    env = _environment()
    try:
        with env.unit_of_work() as ctx:
            people.set_active(ctx, command_line_operator(), name, active)
    except EngineError as error:
        _fail(str(error))


@users_group.command("token")
@click.argument("name")
@click.option("--name", "label", default="cli", show_default=True,
              help="What the token is for (shown by `samflyt users tokens`).")
@click.option("--days", type=int, default=None,
              help="Days until it expires (1-365; default SAMFLYT_API_TOKEN_DAYS).")
def users_token(name, label, days) -> None:
    """Print a new bearer token for the JSON API (/api/v1) for user NAME (shown only now).

    It stops working when it expires, is revoked, the user's password changes or the user is
    deactivated."""
    from engine.administration import token_admin
    env = _environment()
    try:
        with env.unit_of_work() as ctx:
            token = token_admin.issue(ctx, command_line_operator(), name, label, days)
    except EngineError as error:
        _fail(str(error) + _field_errors(error))
    click.echo(token)


@users_group.command("tokens")
@click.argument("name")
def users_tokens(name) -> None:
    """List the API tokens of user NAME: id, name, created, expires, last used, revoked."""
    from engine.accounts import api_tokens
    env = _environment()
    try:
        with env.unit_of_work() as ctx:
            rows = [(t.id, t.name, t.created_at, t.expires_at, t.last_used_at, t.revoked_at)
                    for t in api_tokens.list_for(ctx, users.get_user(ctx, name))]
    except EngineError as error:
        _fail(str(error))
    stamp = lambda value: value.strftime("%Y-%m-%d %H:%M") if value else "-"  # noqa: E731
    click.echo(f"{'id':>6}  {'name':<20} {'created':<16} {'expires':<16} {'last used':<16} "
               "revoked")
    for token_id, label, *times in rows:
        click.echo(f"{token_id:>6}  {label[:20]:<20} "
                   + " ".join(f"{stamp(t):<16}" for t in times).rstrip())


@users_group.command("revoke-token")
@click.argument("token_id", type=int)
def users_revoke_token(token_id) -> None:
    """Revoke the API token with id TOKEN_ID (see `samflyt users tokens NAME`)."""
    from engine.administration import token_admin
    env = _environment()
    try:
        with env.unit_of_work() as ctx:
            token_admin.revoke(ctx, command_line_operator(), token_id)
    except EngineError as error:
        _fail(str(error))
    click.echo(f"revoked token {token_id}")


@users_group.command("password")
@click.argument("name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="The new password (asked for when not given).")
def users_password(name, password) -> None:
    """Set the password of user NAME (argon2-hashed). Ends the user's sessions and tokens."""
    from engine.administration import people
    env = _environment()
    try:
        with env.unit_of_work() as ctx:
            people.set_password(ctx, command_line_operator(), name, password)
    except EngineError as error:
        _fail(str(error) + _field_errors(error))
    click.echo(f"password set for {name}")


if __name__ == "__main__":
    main()
