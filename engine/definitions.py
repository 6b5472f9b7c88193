"""Process definitions: validate, deploy as content-hashed versions, look up versions.

A version of a process is the set of files it needs (its BPMN file, the files of the
processes it calls, the DMN tables and forms they use), hashed together. Deploying the
same content again changes nothing; deploying changed content makes a new version that
new cases use, while running cases stay on theirs.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from lxml import etree
from sqlalchemy import func, select

from .errors import DefinitionError, NotFound
from .models import DefinitionFile, ProcessVersion
from .specs import parse_bundle
from .validation import validate_files

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def kind_of(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return {".bpmn": "bpmn", ".dmn": "dmn", ".json": "form"}.get(suffix, "unknown")


def read_directory(path: str | Path) -> dict[str, bytes]:
    """The deployable files under `path`, keyed by file name (forms by their base name)."""
    files = {}
    for file in sorted(Path(path).rglob("*")):
        if file.is_file() and kind_of(file.name) != "unknown":
            files[file.name] = file.read_bytes()
    return files


def deploy_directory(ctx, path, deployed_by: str = "system") -> list[ProcessVersion]:
    return deploy_files(ctx, read_directory(path), deployed_by)


def deploy_files(ctx, files: dict[str, bytes], deployed_by: str) -> list[ProcessVersion]:
    """Validate `files` together and deploy every executable process in them.

    Returns the versions of the processes (new or unchanged). Raises DefinitionError with
    the problems when anything is invalid; nothing is stored then.
    """
    problems = validate_files(files, max_bytes=ctx.settings.max_upload_bytes)
    if problems:
        raise DefinitionError(f"{len(problems)} feil i prosessfilene", problems)
    texts = {name: data.decode("utf-8") for name, data in files.items()}
    processes = _processes_by_file(texts)
    versions = []
    for process_key, (filename, name) in sorted(processes.items()):
        needed = _files_needed(process_key, texts, processes)
        versions.append(_store_version(ctx, process_key, name, needed, deployed_by))
    return versions


def _processes_by_file(texts: dict[str, str]) -> dict[str, tuple[str, str]]:
    found = {}
    for filename, text in texts.items():
        if kind_of(filename) != "bpmn":
            continue
        root = etree.fromstring(text.encode("utf-8"),
                                etree.XMLParser(resolve_entities=False, no_network=True))
        for process in root.iter(f"{{{BPMN_NS}}}process"):
            if process.get("isExecutable", "true") != "false":
                found[process.get("id")] = (filename, process.get("name") or process.get("id"))
    return found


def _files_needed(process_key: str, texts: dict[str, str], processes) -> dict[str, str]:
    """The BPMN files of the process and what it calls, plus the DMN and forms they use."""
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
        form = getattr(task_spec, "extensions", {}).get("properties", {}).get("formJsonSchemaFilename")
        if form and form in forms:
            needed[form] = forms[form]
    return needed


def _decision_ids(dmn_text: str) -> list[str]:
    root = etree.fromstring(dmn_text.encode("utf-8"),
                            etree.XMLParser(resolve_entities=False, no_network=True))
    return [el.get("id") for el in root.iter() if etree.QName(el).localname == "decision"]


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
        return existing
    last = session.scalar(select(func.max(ProcessVersion.version))
                          .where(ProcessVersion.process_key == process_key)) or 0
    version = ProcessVersion(process_key=process_key, name=name, version=last + 1,
                             bundle_hash=bundle_hash, deployed_at=ctx.now(),
                             deployed_by=deployed_by, files=[r for _, r in stored])
    session.add(version)
    session.flush()
    return version


def latest_version(ctx, process_key: str) -> ProcessVersion:
    version = ctx.session.scalar(select(ProcessVersion)
                                 .where(ProcessVersion.process_key == process_key)
                                 .order_by(ProcessVersion.version.desc()).limit(1))
    if version is None:
        raise NotFound(f"Prosessen «{process_key}» er ikke installert (kjør «samflyt init»)")
    return version


def form_schema(ctx, version: ProcessVersion, form: str) -> dict | None:
    import json
    text = ctx.specs.get(version).forms.get(form)
    return json.loads(text) if text else None
