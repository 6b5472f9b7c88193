"""Open notices for my roles and me; acknowledge."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from engine.access import rules
from engine.notices import notice_board
from webui import uow

bp = Blueprint("notices", __name__, url_prefix="/notices")


@bp.get("/")
def index():
    return render_template("notices.html", notices=notice_board.open_for_user(
        uow.ctx(), g.user, rules.visible_notices(uow.ctx(), g.user)))


@bp.post("/<dbid:notice_id>/ack")
def acknowledge(notice_id: int):
    ctx = uow.ctx()
    notice = notice_board.acknowledge(ctx, notice_id, g.user, rules.visible_notices(ctx, g.user))
    flash(_("Varselet for sak %(number)s er kvittert.", number=notice.case_number), "success")
    return redirect(url_for("notices.index"))
