"""The JSON API's reads of a plan (webui/api_persons.py): the plan as `plan_page` reads it
for the reader (the same access rule, the read logged for the person) with its content under
the section keys of `sections`, as `versions.snapshot` gives it, only the sections the
reader may see.

- `plan_document`: a plan by its id.
- `person_plan`: the person's plan that is not ended. Without one: 404 to a reader who may
  read the person, 403 (logged) to anyone else, so that whether a person has a plan is told
  to no one who may not know.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from engine.core.errors import NotFound, PermissionDenied
from engine.core.messages import N_
from engine.db.models import User
from engine.persons import person_page, registry
from engine.plans import lifecycle, plan_page, versions


@dataclasses.dataclass
class PlanDocument:
    page: plan_page.PlanPage
    #: section key -> the plan's content now, only the sections the reader may see.
    sections: dict[str, Any]


def plan_document(ctx, plan_id: int, reader: User, purpose: str = "api") -> PlanDocument:
    page = plan_page.plan_page(ctx, plan_id, reader, purpose=purpose)
    content = versions.snapshot(ctx, page.plan)
    return PlanDocument(page, {key: value for key, value in content.items()
                               if page.shows(key)})


def person_plan(ctx, person_id: int, reader: User) -> PlanDocument:
    person = registry.get(ctx, person_id)
    plan = lifecycle.open_plan_of(ctx, person.id)
    if plan is not None:
        return plan_document(ctx, plan.id, reader, purpose="api person plan")
    if not person_page.may_read(ctx, person, reader):
        error = PermissionDenied(N_("Du har ikke tilgang til denne personen"))
        error.refused_person = person.id
        raise error
    raise NotFound(N_("Personen har ingen aktiv plan"))
