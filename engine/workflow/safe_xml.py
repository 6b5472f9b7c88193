"""Parsing of untrusted XML (uploaded BPMN and DMN) without its classic traps.

A DTD is the door to entity bombs ("billion laughs") and external entities
(``file:///etc/passwd``, URLs); BPMN and DMN never need one. So any document type declaration
is refused by a byte search before parsing: a bomb is refused without libxml2 ever seeing it
(libxml2 walks entity references to check them even when it does not substitute them). The
search is exact only if the bytes are UTF-8, so only UTF-8 is accepted (every BPMN tool writes
it); UTF-16 and friends are refused instead of decoded. The parser never substitutes entities,
never touches the network and keeps libxml2's limits on tree size, and the parsed tree is
checked for a DTD once more; the input size is bounded before anything else happens.
"""

from __future__ import annotations

import re

from lxml import etree

from engine.core.messages import N_, Message
from engine.workflow import parse_errors

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_NO_DTD = N_("%(declaration)s-deklarasjoner er ikke tillatt (ingen DTD, ingen entiteter, ingen "
             "eksterne referanser)")


def too_large(size: int, limit: int) -> Message:
    """Why a file over the size limit is refused."""
    return Message(N_("Filen er %(size)s byte; grensen er %(limit)s byte"),
                   size=f"{size:,}".replace(",", " "), limit=f"{limit:,}".replace(",", " "))
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY", b"<!ELEMENT", b"<!ATTLIST")
_DECLARED_ENCODING = re.compile(
    rb"<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._-]{1,40})[\"']")
_UTF8_NAMES = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}


class XmlRefused(ValueError):
    """The XML is too large, not well-formed, or declares a DTD or entities. `reason` is a
    Message in the user's words (engine.core.messages); `detail` the parser's own text, if
    any (engine/workflow/parse_errors.py)."""

    def __init__(self, filename: str, reason: Message, detail: str = ""):
        super().__init__(f"{filename}: {reason}")
        self.filename = filename
        self.reason = reason
        self.detail = detail


def _parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
    )


def safe_parse_xml(data: bytes, filename: str = "<xml>", max_bytes: int = DEFAULT_MAX_BYTES):
    """Parse ``data`` and return the root element, or raise ``XmlRefused`` saying why."""
    if not isinstance(data, (bytes, bytearray)):
        raise XmlRefused(filename, Message(N_("Filen kan ikke leses")),
                         f"expected bytes, got {type(data).__name__}")
    if len(data) > max_bytes:
        raise XmlRefused(filename, too_large(len(data), max_bytes))
    _require_utf8(data, filename)
    for declaration in _DECLARATIONS:
        if declaration in data:
            raise XmlRefused(filename, Message(_NO_DTD, declaration=declaration.decode()[2:]))
    try:
        root = etree.fromstring(bytes(data), _parser())
    except etree.XMLSyntaxError as err:
        headline, detail = parse_errors.xml_syntax(err)
        raise XmlRefused(filename, headline, detail) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise XmlRefused(filename, Message(_NO_DTD, declaration="DOCTYPE"))
    return root


def _require_utf8(data: bytes, filename: str) -> None:
    declared = _DECLARED_ENCODING.match(data.removeprefix(b"\xef\xbb\xbf").lstrip())
    if declared and declared.group(1).lower() not in _UTF8_NAMES:
        raise XmlRefused(filename, Message(N_("Bare XML i UTF-8 godtas, ikke %(encoding)s"),
                                           encoding=declared.group(1).decode()))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise XmlRefused(filename, Message(N_("Bare XML i UTF-8 godtas (ugyldig UTF-8 ved "
                                              "byte %(byte)s)"), byte=err.start)) from None
