"""The library's page of one process: its versions, and the heat map on its newest diagram."""
from __future__ import annotations

from dataclasses import dataclass

from engine.definitions import library
from engine.definitions.heatmap import Heatmap, heatmap


@dataclass(frozen=True)
class ProcessPage:
    versions: list[library.VersionInfo]
    heatmap: Heatmap  # the newest diagram with what waits where


def process_page(ctx, key: str, user=None) -> ProcessPage:
    """The library page of `key`: its versions, and the heat map on its newest diagram."""
    return ProcessPage(library.versions(ctx, key, user), heatmap(ctx, user, key))
