"""The process library: deployed processes, their versions, and what changed between two.

Read models for the coordinating unit's library pages and API, and the upload of changed
files as a new version (the files not uploaded are taken from the newest version). No Flask.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from lxml import etree
from sqlalchemy import func, select

from engine.accounts.roles import LIBRARY_ROLES
from engine.core.errors import EngineError, NotFound, PermissionDenied
from engine.core.messages import N_
from engine.db.models import ProcessInstance, ProcessVersion
from engine.definitions import store
from engine.workflow.safe_xml import XmlRefused, safe_parse_xml

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
ELEMENTS = frozenset("""task userTask manualTask scriptTask serviceTask businessRuleTask sendTask
    receiveTask callActivity subProcess transaction adHocSubProcess startEvent endEvent
    intermediateCatchEvent intermediateThrowEvent boundaryEvent exclusiveGateway inclusiveGateway
    parallelGateway eventBasedGateway complexGateway sequenceFlow""".split())
#: The properties of an element a diff compares, in the order it reports them.
FIELDS = ("type", "name", "lane", "timer", "condition", "script", "called", "flow", "form",
          "property")
def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class UploadRefused(EngineError):
    """The upload cannot be deployed as a version of the process (no file, wrong process)."""


@dataclass(frozen=True)
class ProcessSummary:
    key: str
    name: str
    newest_version: int
    version_count: int
    running_cases: int


@dataclass(frozen=True)
class FileInfo:
    name: str
    kind: str
    content_hash: str


@dataclass(frozen=True)
class VersionInfo:
    version: int
    name: str
    deployed_by: str
    deployed_at: datetime
    bundle_hash: str
    files: list[FileInfo]
    running_instances: int


@dataclass(frozen=True)
class Element:
    id: str
    type: str
    name: str


@dataclass(frozen=True)
class FieldChange:
    field: str          # one of FIELDS
    detail: str         # the property's name for "property", else ""
    before: str | None
    after: str | None


@dataclass(frozen=True)
class ElementChange:
    element: Element    # as in the newer version
    changes: list[FieldChange]


@dataclass(frozen=True)
class FileChange:
    name: str
    kind: str
    status: str         # added | removed | changed


@dataclass
class Diff:
    key: str
    from_version: int
    to_version: int
    added: list[Element] = field(default_factory=list)
    removed: list[Element] = field(default_factory=list)
    changed: list[ElementChange] = field(default_factory=list)
    files: list[FileChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.files)


def check_access(user) -> None:
    """Refuse users outside the coordinating unit and admin (None: a trusted caller)."""
    if user is not None and not user.role_keys & LIBRARY_ROLES:
        raise PermissionDenied(N_("Bare koordinerende enhet og administratorer har tilgang til "
                                  "prosessbiblioteket"))


def processes(ctx, user=None) -> list[ProcessSummary]:
    """Every deployed process: name of its newest version, version count, running cases."""
    check_access(user)
    session = ctx.session
    stats = session.execute(select(ProcessVersion.process_key, func.max(ProcessVersion.version),
                                   func.count(ProcessVersion.id))
                            .group_by(ProcessVersion.process_key)).all()
    running = dict(session.execute(
        select(ProcessInstance.process_key, func.count(func.distinct(ProcessInstance.case_id)))
        .where(ProcessInstance.status == "running").group_by(ProcessInstance.process_key)).all())
    result = []
    for key, newest, count in sorted(stats):
        name = version_of(ctx, key, newest).name
        result.append(ProcessSummary(key, name, newest, count, running.get(key, 0)))
    return result


def versions(ctx, key: str, user=None) -> list[VersionInfo]:
    """The versions of `key`, newest first, with their files and running instances."""
    check_access(user)
    rows = ctx.session.scalars(select(ProcessVersion).where(ProcessVersion.process_key == key)
                               .order_by(ProcessVersion.version.desc())).all()
    if not rows:
        raise NotFound(N_("Prosessen «%(process)s» finnes ikke"), process=key)
    running = dict(ctx.session.execute(
        select(ProcessInstance.process_version_id, func.count(ProcessInstance.id))
        .where(ProcessInstance.process_key == key, ProcessInstance.status == "running")
        .group_by(ProcessInstance.process_version_id)).all())
    return [VersionInfo(v.version, v.name, v.deployed_by, v.deployed_at, v.bundle_hash,
                        [FileInfo(f.filename, f.kind, f.content_hash)
                         for f in sorted(v.files, key=lambda f: (f.kind, f.filename))],
                        running.get(v.id, 0)) for v in rows]


def diff(ctx, key: str, from_version: int, to_version: int, user=None) -> Diff:
    """What changed in process `key` from one version to another."""
    check_access(user)
    old, new = version_of(ctx, key, from_version), version_of(ctx, key, to_version)
    result = Diff(key, from_version, to_version)
    before, after = _elements(old, key), _elements(new, key)
    result.added = [_summary(i, after[i]) for i in after if i not in before]
    result.removed = [_summary(i, before[i]) for i in before if i not in after]
    for element_id, props in after.items():
        if element_id in before:
            changes = _compare(before[element_id], props)
            if changes:
                result.changed.append(ElementChange(_summary(element_id, props), changes))
    old_files = {f.filename: f for f in old.files}
    new_files = {f.filename: f for f in new.files}
    for name in sorted(old_files.keys() | new_files.keys()):
        a, b = old_files.get(name), new_files.get(name)
        status = ("added" if a is None else "removed" if b is None
                  else "changed" if a.content_hash != b.content_hash else None)
        if status and (file := b or a):
            result.files.append(FileChange(name, file.kind, status))
    return result


def deploy_upload(ctx, user, key: str, uploaded: dict[str, bytes]):
    """Deploy `uploaded` (name -> content) as a version of `key`, validated together with the
    newest version's files for whatever was not uploaded. Returns (version, created)."""
    check_access(user)
    if not uploaded:
        raise UploadRefused(N_("Ingen filer lastet opp"))
    uploaded = {PurePosixPath(name.replace("\\", "/")).name: data
                for name, data in uploaded.items()}
    try:
        newest = store.latest_version(ctx, key)
    except NotFound:
        newest = None
    bpmn_keys, all_parsed = set(), True
    for name, data in uploaded.items():
        if name.lower().endswith(".bpmn"):
            try:
                root = safe_parse_xml(data, name, ctx.settings.max_upload_bytes)
            except XmlRefused:
                all_parsed = False  # deploy_files reports it
                continue
            bpmn_keys |= {p.get("id") for p in root.iter(f"{BPMN}process")}
    has_bpmn = any(name.lower().endswith(".bpmn") for name in uploaded)
    if all_parsed and key not in bpmn_keys and (has_bpmn or newest is None):
        raise UploadRefused(N_("Den opplastede BPMN-filen inneholder ikke prosessen "
                               "«%(process)s»"), process=key)
    files = {f.filename: f.content.encode("utf-8") for f in (newest.files if newest else [])}
    files.update(uploaded)
    deployed = store.deploy_files(ctx, files, user.username, key=key)
    version = next((v for v in deployed if v.process_key == key), None)
    if version is None:
        raise UploadRefused(N_("Prosessen «%(process)s» er ikke kjørbar (isExecutable)"),
                            process=key)
    return version, newest is None or version.version > newest.version


def upload_key(uploaded: dict[str, bytes], max_bytes: int) -> str:
    """The process an upload made in the library page deploys: the one process in its BPMN
    file(s). UploadRefused when there is none, or several to choose between."""
    keys = []
    for name, data in uploaded.items():
        if name.lower().endswith(".bpmn"):
            try:
                root = safe_parse_xml(data, name, max_bytes)
            except XmlRefused as error:
                # the reason in the user's words (engine/workflow/parse_errors.py)
                raise UploadRefused(N_("%(file)s: %(reason)s"), file=error.filename,
                                    reason=error.reason) from None
            keys += [p.get("id") for p in root.iter(f"{BPMN}process") if p.get("id")]
    if not keys:
        raise UploadRefused(N_("Last opp en BPMN-fil med prosessen (DMN-tabeller og skjemaer kan "
                               "følge med)"))
    if len(set(keys)) > 1:
        raise UploadRefused(N_("Filene har flere prosesser (%(processes)s): skriv hvilken som "
                               "skal installeres"), processes=", ".join(sorted(set(keys))))
    return keys[0]


def version_of(ctx, key: str, number: int) -> ProcessVersion:
    """Version `number` of process `key` (NotFound when it has none)."""
    version = ctx.session.scalar(select(ProcessVersion).where(
        ProcessVersion.process_key == key, ProcessVersion.version == number))
    if version is None:
        raise NotFound(N_("Prosessen «%(process)s» har ingen versjon %(version)s"), process=key,
                       version=number)
    return version


def _summary(element_id: str, props: dict) -> Element:
    return Element(element_id, props["type"], props["name"])


def _compare(old: dict, new: dict) -> list[FieldChange]:
    changes = [FieldChange(f, "", old[f], new[f]) for f in FIELDS[:-1] if old[f] != new[f]]
    for name in sorted(old["property"].keys() | new["property"].keys()):
        a, b = old["property"].get(name), new["property"].get(name)
        if a != b:
            changes.append(FieldChange("property", name, a, b))
    return changes


def _elements(version: ProcessVersion, key: str) -> dict[str, dict]:
    """The flow elements of process `key` in `version`, by id, with what a diff compares."""
    process = None
    for file in version.files:
        if file.kind == "bpmn":
            root = etree.fromstring(file.content.encode("utf-8"), _parser())
            process = next((p for p in root.iter(f"{BPMN}process") if p.get("id") == key), None)
            if process is not None:
                break
    if process is None:
        return {}
    lanes = {}
    for lane in process.iter(f"{BPMN}lane"):
        for ref in lane.findall(f"{BPMN}flowNodeRef"):
            lanes[(ref.text or "").strip()] = lane.get("name") or lane.get("id")
    found: dict[str, dict] = {}
    for el in process.iter():
        if not isinstance(el.tag, str) or etree.QName(el).localname not in ELEMENTS \
                or etree.QName(el).namespace != BPMN[1:-1] or not el.get("id"):
            continue
        props = {p.get("name"): p.get("value") for p in el.iter(f"{SPIFF}property")}
        timer = next((t for t in el.iter(f"{BPMN}timeDuration", f"{BPMN}timeDate",
                                         f"{BPMN}timeCycle")), None)
        found[el.get("id", "")] = {
            "type": etree.QName(el).localname, "name": el.get("name") or "",
            "lane": lanes.get(el.get("id", "")),
            "timer": _text(timer),
            "condition": _text(el.find(f"{BPMN}conditionExpression")),
            "script": _text(el.find(f"{BPMN}script")),
            "called": el.get("calledElement"),
            "flow": f"{el.get('sourceRef')} → {el.get('targetRef')}"
            if el.get("sourceRef") else None,
            "form": props.pop("formJsonSchemaFilename", None),
            "property": props}
    return found


def _text(el) -> str | None:
    return (el.text or "").strip() if el is not None else None
