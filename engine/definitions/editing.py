"""What the browser's BPMN editor needs: the file that defines a process, the draft over it,
the forms a user task may use, the roles a lane may take; and saving an edited file.

Thin on purpose: the drafts and their validation are engine/drafts.py, access is
engine/library.check_access (the coordinating unit and admin). No Flask.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from engine.accounts import roles
from engine.core.errors import NotFound
from engine.core.messages import N_
from engine.db.models import ProcessVersion
from engine.deadlines import due_expression
from engine.definitions import drafts, library, store
from engine.definitions.validation import BPMN, Problem
from engine.workflow.safe_xml import XmlRefused, safe_parse_xml


@dataclass(frozen=True)
class EditorPage:
    key: str
    name: str
    version: int                  # the newest deployed version
    filename: str                 # the BPMN file that defines the process
    draft_by: str | None          # who saved the draft of that file (None: no draft)
    draft_at: datetime | None
    draft_base: int | None        # the version the draft was started from
    draft_files: list[str]        # every draft of the process
    draft_revision: str           # drafts.revision of that file's draft ("" for none)
    forms: dict[str, str]         # form files (JSON Schema) a user task may use -> title
    roles: dict[str, str]         # the roles a lane may stand for: key -> display name
    # the deadline control: the case dates a due date counts from, and its units (field or
    # unit -> a text key to translate; engine/deadlines/due_expression.py)
    due_starts: dict[str, str] = field(default_factory=lambda: dict(due_expression.START_DATES))
    due_units: dict[str, str] = field(default_factory=lambda: dict(due_expression.UNITS))
    # the problems and warnings of the drafts as they are stored (validated when the page is
    # opened: a broken draft reopened shows its problems, never "no problems")
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def editor_page(ctx, user, key: str) -> EditorPage:
    """The editor of process `key`; NotFound when it has never been deployed."""
    library.check_access(user)
    newest = store.latest_version(ctx, key)
    filename = defining_file(newest, key, ctx.settings.max_upload_bytes)
    pending = drafts.list_drafts(ctx, user, key)
    draft = next((d for d in pending if d.filename == filename), None)
    forms = {f.filename for f in newest.files if f.kind == "form"}
    forms |= {d.filename for d in pending if d.kind == "form"}
    problems = drafts.validate(ctx, user, key) if pending else []
    warnings = drafts.warnings(ctx, user, key) if pending else []
    return EditorPage(key, newest.name, newest.version, filename,
                      draft.updated_by if draft else None, draft.updated_at if draft else None,
                      draft.base_version if draft else None, [d.filename for d in pending],
                      drafts.revision(draft),
                      {name: _form_title(ctx, newest, name) for name in sorted(forms)},
                      {role: roles.ROLE_NAMES[role] for role in roles.ROLES},
                      problems=problems, warnings=warnings)


def _form_title(ctx, version, name: str) -> str:
    """A form by its title (what officers see on the task), never its file name; a form only
    in a draft by its name in words."""
    schema = store.form_schema(ctx, version, name) or {}
    title = schema.get("title") if isinstance(schema, dict) else None
    return title or name.removesuffix(".json").replace("_", " ").capitalize()


def file_content(ctx, user, key: str, filename: str, version: int | None = None) -> str:
    """A file of process `key`: its draft if there is one, else the newest version's; with
    `version`, that deployed version's file (drafts ignored)."""
    library.check_access(user)
    if version is None:
        draft = drafts.get(ctx, user, key, filename)
        if draft is not None:
            return draft.content
        stored = store.latest_version(ctx, key)
    else:
        stored = library.version_of(ctx, key, version)
    found = next((f for f in stored.files if f.filename == filename), None)
    if found is None:
        raise NotFound(N_("Prosessen «%(process)s» har ingen fil «%(file)s»"), process=key,
                       file=filename)
    return found.content


def save(ctx, user, key: str, filename: str, content: str,
         base: str | None = None) -> drafts.SavedDraft:
    """Save an edited file as a draft; XML that cannot even be parsed safely (a DTD, an
    entity bomb, not well-formed) is refused and not stored (DraftRefused). `base`: the
    revision the editor loaded (see drafts.save: someone else's newer save is not replaced)."""
    library.check_access(user)
    if store.kind_of(filename) in ("bpmn", "dmn"):
        try:
            safe_parse_xml((content or "").encode("utf-8"), filename,
                           ctx.settings.max_upload_bytes)
        except XmlRefused as error:
            # the reason in the user's words (engine/workflow/parse_errors.py)
            raise drafts.DraftRefused(N_("%(file)s: %(reason)s"), file=error.filename,
                                      reason=error.reason) from None
    return drafts.save(ctx, user, key, filename, content, base=base)


def defining_file(version: ProcessVersion, key: str, max_bytes: int) -> str:
    """The name of the BPMN file in `version` that defines process `key`."""
    for file in sorted(version.files, key=lambda f: f.filename != f"{key}.bpmn"):
        if file.kind != "bpmn":
            continue
        root = safe_parse_xml(file.content.encode("utf-8"), file.filename, max_bytes)
        if any(p.get("id") == key for p in root.iter(f"{BPMN}process")):
            return file.filename
    raise NotFound(N_("Prosessen «%(process)s» har ingen BPMN-fil"), process=key)


__all__ = ["EditorPage", "defining_file", "editor_page", "file_content", "save"]
