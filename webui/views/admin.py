"""Administration in the browser, part one: the overview, users (a new user, roles, the
coordinator training register, deactivation) and everyone's API tokens
(engine/administration). Who may use which page: the groups in engine/accounts/roles.py; the
engine checks them."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.accounts import passwords
from engine.accounts.roles import ADMINISTRATION_ROLES, ROLES, USER_ADMIN_ROLES
from engine.administration import guard, people, token_admin
from engine.core.errors import InvalidInput, NotFound
from engine.organisation import units as organisation
from webui import uow
from webui.i18n import translate, translate_all

bp = Blueprint("admin_users", __name__, url_prefix="/admin")

#: The user list's filters, kept through a form posted from it.
FILTER_FIELDS = ("q", "role", "status", "trained")


@bp.get("/")
def index():
    guard.require(g.user, ADMINISTRATION_ROLES)
    return render_template("admin/index.html")


def _filters(source) -> people.UserFilter:
    status = source.get("status", "active")
    role = source.get("role", "")
    return people.UserFilter(text=(source.get("q") or "").strip()[:80],
                             role=role if role in ROLES else "",
                             status=status if status in people.STATUSES else "active",
                             trained_only=source.get("trained") == "1")


def _back(form):
    """The user list as it was filtered when the form was posted."""
    return redirect(url_for("admin_users.users", **{key: form[key] for key in FILTER_FIELDS
                                              if form.get(key)}))


def _users_page(source, status: int = 200, failed: str | None = None,
                errors: dict[str, str] | None = None, posted: dict | None = None):
    filters = _filters(source)
    rows = people.list_users(uow.ctx(), g.user, filters)
    return render_template("admin/users.html", rows=rows, filters=filters, failed=failed,
                           errors=errors or {}, posted=posted or {}), status


@bp.get("/users")
def users():
    return _users_page(request.args)


def _change(username: str, work, done: str):
    """Run one change from the user list: back to the list (Post/Redirect/Get), or the
    list again with the error next to the user's form and what was posted."""
    form = request.form
    try:
        work(uow.ctx())
    except InvalidInput as error:
        uow.abort()
        return _users_page(form, 422, username, translate_all(error.errors),
                           {"roles": form.getlist("roles")})
    flash(done, "success")
    return _back(form)


def _new_user_page(form, errors: dict[str, str] | None = None, status: int = 200):
    guard.require(g.user, USER_ADMIN_ROLES)
    return render_template("admin/user_new.html", form=form, errors=errors or {},
                           form_roles=form.getlist("roles") if hasattr(form, "getlist") else [],
                           units=organisation.all_units(uow.ctx()),
                           min_length=passwords.MIN_LENGTH), status


@bp.get("/users/new")
def new_user():
    return _new_user_page(request.args)


@bp.post("/users/new")
def add_user():
    """A new user from the form; its errors next to their fields, what was typed kept (never
    the password)."""
    form = request.form
    username = (form.get("username") or "").strip()
    try:
        people.add_user(uow.ctx(), g.user, username, form.getlist("roles")[:len(ROLES) + 1],
                        display_name=(form.get("display_name") or "").strip() or None,
                        email=(form.get("email") or "").strip() or None,
                        units=[form["unit"]] if form.get("unit") else None,
                        password=form.get("password") or "")
    except (InvalidInput, NotFound) as error:
        uow.abort()
        errors = translate_all(error.errors) if isinstance(error, InvalidInput) else {
            "unit": translate(error.message)}
        if "role" in errors:
            errors["roles"] = errors.pop("role")
        return _new_user_page(form, errors, 422)
    flash(_("%(username)s er lagt til.", username=username), "success")
    return redirect(url_for("admin_users.users", q=username))


@bp.post("/users/<username>/roles")
def set_roles(username: str):
    roles = request.form.getlist("roles")[:len(ROLES) + 1]
    return _change(username, lambda ctx: people.set_roles(ctx, g.user, username, roles),
                   _("Rollene til %(username)s er lagret.", username=username))


@bp.post("/users/<username>/trained")
def set_trained(username: str):
    trained = request.form.get("trained_coordinator") == "1"
    return _change(username, lambda ctx: people.set_trained(ctx, g.user, username, trained),
                   _("%(username)s er registrert med koordinatoropplæring.", username=username)
                   if trained else
                   _("%(username)s er tatt ut av opplæringsregisteret.", username=username))


@bp.post("/users/<username>/active")
def set_active(username: str):
    active = request.form.get("active") == "1"
    return _change(username, lambda ctx: people.set_active(ctx, g.user, username, active),
                   _("%(username)s er aktivert.", username=username) if active else
                   _("%(username)s er deaktivert. Øktene er avsluttet og API-nøklene trukket "
                     "tilbake.", username=username))


@bp.get("/tokens")
def tokens():
    username = (request.args.get("user") or "").strip()[:80]
    live_only = request.args.get("live") == "1"
    rows = token_admin.list_tokens(uow.ctx(), g.user, username, live_only)
    return render_template("admin/tokens.html", rows=rows, username=username,
                           live_only=live_only)


@bp.post("/tokens/<dbid:token_id>/revoke")
def revoke_token(token_id: int):
    token_admin.revoke(uow.ctx(), g.user, token_id)
    flash(_("API-nøkkelen er trukket tilbake."), "success")
    form = request.form
    return redirect(url_for("admin_users.tokens", **{key: form[key] for key in ("user", "live")
                                               if form.get(key)}))
