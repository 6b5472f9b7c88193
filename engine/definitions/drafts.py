"""Drafts: files of a process the coordinating unit has edited in the browser but not deployed.

Saving a draft keeps it whatever its state and validates it, together with the other drafts of
the process and the newest deployed version's remaining files, with the same validator as
`samflyt processes validate`; the problems name the file and the element so the editor can mark
them. Warnings (a legal deadline not computed with `legal_date`: validation
`legal_date_warnings`) are shown with them but never stop a deploy. Deploying the drafts
makes a new content-hashed version and removes them; a refused deploy keeps them.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from sqlalchemy import delete, select

from engine.core.errors import ConflictError, DefinitionError, EngineError, NotFound
from engine.core.messages import N_, Message
from engine.db.models import ProcessDraft, ProcessVersion
from engine.definitions import library, store
from engine.definitions.validation import Problem, legal_date_warnings, validate_files


class DraftRefused(EngineError):
    """The draft cannot be stored (bad file name, unknown kind, too large)."""


@dataclass(frozen=True)
class SavedDraft:
    draft: ProcessDraft
    problems: list[Problem]
    #: What deserves a look but may be deployed (see `warnings`).
    warnings: list[Problem] = field(default_factory=list)


def revision(draft: ProcessDraft | None) -> str:
    """What an editor that loaded a file sends back as `base` when it saves: the draft's
    content hash, or "" when it loaded the deployed file (no draft)."""
    if draft is None:
        return ""
    return hashlib.sha256(draft.content.encode("utf-8")).hexdigest()[:16]


def save(ctx, user, key: str, filename: str, content: str | bytes,
         base: str | None = None) -> SavedDraft:
    """Store (or replace) the draft of `filename` in process `key` and validate the bundle.

    `base` is the `revision` the editor loaded: when the draft changed since (another member
    of the unit saved it, or deployed or discarded it), the save is refused with a
    ConflictError instead of silently replacing their work. None skips the check (the CLI)."""
    library.check_access(user)
    filename = _clean_name(filename)
    kind = store.kind_of(filename)
    if kind == "unknown":
        raise DraftRefused(N_("%(file)s: ukjent filtype (forventet .bpmn, .dmn eller .json)"),
                           file=filename)
    data = content.encode("utf-8") if isinstance(content, str) else content
    if len(data) > ctx.settings.max_upload_bytes:
        raise DraftRefused(N_("%(file)s: filen er større enn grensen på %(limit)s byte"),
                           file=filename, limit=f"{ctx.settings.max_upload_bytes:,}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DraftRefused(N_("%(file)s: filen er ikke UTF-8-tekst"), file=filename) from None
    draft = get(ctx, user, key, filename)
    if base is not None and base != revision(draft):
        if draft is None:
            raise ConflictError(N_("Utkastet av %(file)s er installert eller forkastet etter at "
                                   "du åpnet det. Last siden på nytt og gjør endringen der; det "
                                   "du har gjort nå, er ikke lagret."), file=filename)
        raise ConflictError(N_("%(file)s ble lagret av %(user)s etter at du åpnet den. Last "
                               "siden på nytt for å se den nyeste utgaven; det du har gjort nå, "
                               "er ikke lagret."), file=filename, user=draft.updated_by)
    if draft is None:
        newest = _newest(ctx, key)
        draft = ProcessDraft(process_key=key, filename=filename, kind=kind,
                             base_version=newest.version if newest else None)
        ctx.session.add(draft)
    draft.content = text
    draft.updated_by = user.username if user is not None else "system"
    draft.updated_at = ctx.now()
    ctx.session.flush()
    return SavedDraft(draft, validate(ctx, user, key), warnings(ctx, user, key))


def get(ctx, user, key: str, filename: str) -> ProcessDraft | None:
    library.check_access(user)
    return ctx.session.scalar(select(ProcessDraft).where(
        ProcessDraft.process_key == key, ProcessDraft.filename == _clean_name(filename)))


def list_drafts(ctx, user, key: str) -> list[ProcessDraft]:
    library.check_access(user)
    return list(ctx.session.scalars(select(ProcessDraft).where(
        ProcessDraft.process_key == key).order_by(ProcessDraft.filename)))


def discard(ctx, user, key: str, filename: str | None = None) -> int:
    """Remove one draft (or every draft of `key`); returns how many were removed."""
    library.check_access(user)
    query = delete(ProcessDraft).where(ProcessDraft.process_key == key)
    if filename is not None:
        query = query.where(ProcessDraft.filename == _clean_name(filename))
    return ctx.session.execute(query).rowcount


def bundle(ctx, user, key: str) -> dict[str, bytes]:
    """The files a deploy of `key` would validate: the newest version's files, drafts on top."""
    library.check_access(user)
    newest = _newest(ctx, key)
    files = {f.filename: f.content.encode("utf-8") for f in (newest.files if newest else [])}
    files.update({d.filename: d.content.encode("utf-8") for d in list_drafts(ctx, user, key)})
    return files


def validate(ctx, user, key: str) -> list[Problem]:
    """Problems in the drafts of `key` together with the files they would be deployed with."""
    return validate_files(bundle(ctx, user, key), max_bytes=ctx.settings.max_upload_bytes)


def warnings(ctx, user, key: str) -> list[Problem]:
    """Warnings on the drafts of `key` (only the drafts: the deployed files were seen before):
    legal deadlines not computed with the legal-date helper. A deploy is still allowed."""
    return legal_date_warnings({d.filename: d.content.encode("utf-8")
                                for d in list_drafts(ctx, user, key)},
                               max_bytes=ctx.settings.max_upload_bytes)


def deploy(ctx, user, key: str):
    """Deploy the drafts of `key` as a new version; returns (version, created).

    Raises DefinitionError (drafts kept) when the bundle is invalid, NotFound when there is no
    draft to deploy, ConflictError when a draft was started from a version older than the
    newest (another member of the unit deployed meanwhile)."""
    drafts = list_drafts(ctx, user, key)
    if not drafts:
        raise NotFound(N_("Prosessen «%(process)s» har ingen utkast å installere"), process=key)
    newest = _newest(ctx, key)
    stale = [d for d in drafts if newest is not None and d.base_version is not None
             and d.base_version != newest.version]
    if stale and newest:  # someone deployed meanwhile: installing would silently undo theirs
        names = [Message(N_("%(file)s (versjon %(version)s)"), file=d.filename,
                         version=d.base_version) for d in stale]
        raise ConflictError(N_("Utkastet bygger på en eldre versjon: %(files)s, men versjon "
                               "%(version)s er installert siden. Forkast utkastet og gjør "
                               "endringen på nytt i den nyeste versjonen."),
                            files=names, version=newest.version)
    uploaded = {d.filename: d.content.encode("utf-8") for d in drafts}
    version, created = library.deploy_upload(ctx, user, key, uploaded)
    discard(ctx, user, key)
    return version, created


def _newest(ctx, key: str) -> ProcessVersion | None:
    try:
        return store.latest_version(ctx, key)
    except NotFound:
        return None


def _clean_name(filename: str) -> str:
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    if not name or name.startswith("."):
        raise DraftRefused(N_("Ugyldig filnavn"))
    return name


__all__ = [
    "DefinitionError",
    "DraftRefused",
    "SavedDraft",
    "bundle",
    "deploy",
    "discard",
    "get",
    "list_drafts",
    "revision",
    "save",
    "validate",
]
