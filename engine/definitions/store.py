"""Process definitions: validate, deploy as content-hashed versions, look up versions.

A version of a process is the set of files it needs (its BPMN file, the files of the
processes it calls, the DMN tables and forms they use), hashed together. Deploying the
same content again changes nothing; deploying changed content makes a new version that
new cases use, while running cases stay on theirs.
"""
from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from lxml import etree
from sqlalchemy import bindparam, func, select

from engine.core.errors import DefinitionError, NotFound
from engine.core.messages import N_
from engine.db.models import DefinitionFile, ProcessVersion
from engine.definitions.validation import deployable_processes, validate_files
from engine.workflow.safe_xml import XmlRefused, safe_parse_xml
from engine.workflow.specs import parse_bundle

log = logging.getLogger(__name__)

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def kind_of(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return {".bpmn": "bpmn", ".dmn": "dmn", ".json": "form", ".j2": "letter"}.get(suffix, "unknown")


def read_directory(path: str | Path) -> dict[str, bytes]:
    """The deployable files under `path`, keyed by file name (forms by their base name)."""
    files = {}
    for file in sorted(Path(path).rglob("*")):
        if file.is_file() and kind_of(file.name) != "unknown":
            files[file.name] = file.read_bytes()
    return files


def deploy_directory(ctx, path, deployed_by: str = "system") -> list[ProcessVersion]:
    return deploy_files(ctx, read_directory(path), deployed_by)


def deploy_files(ctx, files: dict[str, bytes], deployed_by: str,
                 key: str | None = None) -> list[ProcessVersion]:
    """Validate `files` together and deploy every process in them that runs: the executable
    ones, and a plain modeler's ``isExecutable="false"`` process that is alone in its file or
    is `key` (the process being deployed; see `validation.deployable_processes`).

    Returns the versions of the processes (new or unchanged). Raises DefinitionError with
    the problems when anything is invalid; nothing is stored then.
    """
    files = {name: mark_executable(name, data, key, ctx.settings.max_upload_bytes)
             for name, data in files.items()}
    problems = validate_files(files, max_bytes=ctx.settings.max_upload_bytes)
    if problems:
        raise DefinitionError(N_("%(count)d feil i prosessfilene"), problems, count=len(problems))
    texts = {name: data.decode("utf-8") for name, data in files.items()}
    processes = _processes_by_file(texts)
    versions = []
    for process_key, (_filename, name) in sorted(processes.items()):
        needed = _files_needed(process_key, texts, processes)
        versions.append(_store_version(ctx, process_key, name, needed, deployed_by))
    return versions


# The start tag of a process element, and its isExecutable="false" attribute.
_PROCESS_TAG = re.compile(r"""<(?:[\w.-]+:)?process\b(?:[^>"']|"[^"]*"|'[^']*')*>""")
_PROCESS_ID = re.compile(r"""(?<![\w:.-])id\s*=\s*(["'])(.*?)\1""")
_NOT_EXECUTABLE = re.compile(r"""((?<![\w:.-])isExecutable\s*=\s*)(["'])\s*(?:false|0)\s*\2""")


def mark_executable(filename: str, data: bytes, key: str | None, max_bytes: int) -> bytes:
    """`data` with ``isExecutable="true"`` on each deployable process that says "false".

    The engine runs what is stored, so the stored file says what runs; that attribute is the
    only change (the rest of the file is kept byte for byte). Files that are not BPMN, or
    that do not parse, are returned as they are (validation reports the latter)."""
    if kind_of(filename) != "bpmn":
        return data
    try:
        root = safe_parse_xml(data, filename, max_bytes)
        text = data.decode("utf-8")
    except (XmlRefused, UnicodeDecodeError):
        return data
    executable = {p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process")
                  if p.get("isExecutable", "true") == "true"}
    wanted = set(deployable_processes(root, key)) - executable
    if not wanted:
        return data

    def rewrite(tag):
        found = _PROCESS_ID.search(tag.group(0))
        if found is None or found.group(2) not in wanted:
            return tag.group(0)
        return _NOT_EXECUTABLE.sub(r"\1\2true\2", tag.group(0), count=1)

    changed = _PROCESS_TAG.sub(rewrite, text).encode("utf-8")
    try:
        check = safe_parse_xml(changed, filename, max_bytes)
    except XmlRefused:
        check = root
    if check is not root and wanted <= {p.get("id") for p in check.iter(f"{{{BPMN_NS}}}process")
                                        if p.get("isExecutable") == "true"}:
        return changed
    for process in root.iter(f"{{{BPMN_NS}}}process"):  # an unusual layout: rewrite the tree
        if process.get("id") in wanted:
            process.set("isExecutable", "true")
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def _processes_by_file(texts: dict[str, str]) -> dict[str, tuple[str, str]]:
    """process key -> (file, name) of the executable processes. A process without a name
    takes its pool's (a plain modeler names the participant, not the process)."""
    found = {}
    for filename, text in texts.items():
        if kind_of(filename) != "bpmn":
            continue
        root = etree.fromstring(text.encode("utf-8"),
                                etree.XMLParser(resolve_entities=False, no_network=True))
        pools = {p.get("processRef"): p.get("name") for p in root.iter(f"{{{BPMN_NS}}}participant")
                 if p.get("name")}
        for process in root.iter(f"{{{BPMN_NS}}}process"):
            if process.get("isExecutable", "true") == "true":
                key = process.get("id", "")
                found[key] = (filename, process.get("name") or pools.get(key) or key)
    return found


def _files_needed(process_key: str, texts: dict[str, str], processes) -> dict[str, str]:
    """The BPMN files of the process and what it calls, plus the DMN, forms and letter
    templates they use (a `letterTemplate` property "vedtak" takes every "vedtak.*.j2", one
    per language, and the shared parts "brev_*.j2" they extend)."""
    bpmn = {name: t for name, t in texts.items() if kind_of(name) == "bpmn"}
    dmn = {name: t for name, t in texts.items() if kind_of(name) == "dmn"}
    forms = {name: t for name, t in texts.items() if kind_of(name) == "form"}
    bundle = [(kind_of(n), n, t) for n, t in {**bpmn, **dmn, **forms}.items()]
    parsed = parse_bundle(process_key, bundle)
    keys = {process_key, *parsed.subprocess_specs.keys()}
    needed = {processes[k][0]: bpmn[processes[k][0]] for k in keys if k in processes}
    for name, text in dmn.items():
        if any(f">{decision}<" in "".join(needed.values()) for decision in _decision_ids(text)):
            needed[name] = text
    for task_spec in parsed.all_task_specs():
        properties = getattr(task_spec, "extensions", {}).get("properties", {})
        form = properties.get("formJsonSchemaFilename")
        if form and form in forms:
            needed[form] = forms[form]
        letter = properties.get("letterTemplate")
        if letter:
            needed.update({name: text for name, text in texts.items()
                           if kind_of(name) == "letter"
                           and name.startswith((f"{letter}.", "brev_"))})
    return needed


def _decision_ids(dmn_text: str) -> list[str]:
    root = etree.fromstring(dmn_text.encode("utf-8"),
                            etree.XMLParser(resolve_entities=False, no_network=True))
    return [el.get("id", "") for el in root.iter() if etree.QName(el).localname == "decision"]


def _content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _store_version(ctx, process_key, name, needed: dict[str, str], deployed_by) -> ProcessVersion:
    session = ctx.session
    stored = []
    for filename, text in sorted(needed.items()):
        digest = _content_hash(text)
        row = session.scalar(select(DefinitionFile).where(DefinitionFile.content_hash == digest))
        if row is None:
            row = DefinitionFile(content_hash=digest, kind=kind_of(filename), filename=filename,
                                 content=text)
            session.add(row)
        stored.append((filename, row))
    bundle_hash = hashlib.sha256("\n".join(f"{n}:{r.content_hash}" for n, r in stored)
                                 .encode()).hexdigest()
    existing = session.scalar(select(ProcessVersion).where(
        ProcessVersion.process_key == process_key, ProcessVersion.bundle_hash == bundle_hash))
    if existing is not None:
        log.debug("definition unchanged process=%s version=%s", process_key, existing.version)
        return existing
    last = session.scalar(select(func.max(ProcessVersion.version))
                          .where(ProcessVersion.process_key == process_key)) or 0
    version = ProcessVersion(process_key=process_key, name=name, version=last + 1,
                             bundle_hash=bundle_hash, deployed_at=ctx.now(),
                             deployed_by=deployed_by, files=[r for _, r in stored])
    session.add(version)
    session.flush()
    log.info("definition deployed process=%s version=%s hash=%s files=%d user=%s", process_key,
             version.version, bundle_hash[:12], len(stored), deployed_by)
    return version


_NEWEST = (select(ProcessVersion).where(ProcessVersion.process_key == bindparam("key"))
           .order_by(ProcessVersion.version.desc()).limit(1))


def latest_version(ctx, process_key: str) -> ProcessVersion:
    """The newest version of a process (NotFound when it has none). A workflow step reads it
    with its other rows instead (engine/workflow/step.py, `NEWEST_VERSION`)."""
    return newest_of(process_key, ctx.session.execute(_NEWEST, {"key": process_key})
                     .scalar_one_or_none())


def newest_of(process_key: str, version: ProcessVersion | None) -> ProcessVersion:
    """`version`, the newest of `process_key`, or NotFound when the process has none."""
    if version is None:
        raise NotFound(N_("Prosessen «%(process)s» er ikke installert (kjør «samflyt init»)"),
                       process=process_key)
    return version


def form_text(ctx, version: ProcessVersion, form: str) -> str | None:
    """The text of a form file of the version (what `validate_form_data` takes fastest)."""
    return ctx.specs.get(version).forms.get(form)


def form_schema(ctx, version: ProcessVersion, form: str) -> dict | None:
    import json
    text = ctx.specs.get(version).forms.get(form)
    return json.loads(text) if text else None
