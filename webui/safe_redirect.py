"""The one check for a `next` target a redirect goes to: only a path on this site."""
from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a relative path on this site, else `default`.

    Refused: anything not starting with one "/", "//" and "/\\" (browsers read both as another
    host), backslashes anywhere, control characters (tabs and newlines included, which
    browsers strip, so "/\\t/evil.example" would become "//evil.example"), and anything with a
    scheme or host."""
    if not target or not isinstance(target, str) or not target.startswith("/"):
        return default
    if target[1:2] in ("/", "\\") or "\\" in target:
        return default
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
