"""Issue 17 in the browser: the heat map's badges sit clear of the elements' names (a task's
name inside its shape, a gateway's written above it), and the deadline watchers have a
badge of their own."""
from __future__ import annotations

from browser_support import sign_in
from playwright.sync_api import expect

from engine.cases import casework
from tests.processes.scenario_support import application


def _intersects(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def _text_box(page, element_id: str) -> dict:
    """The box of the element's name as drawn: its external label, else the text inside."""
    label = page.locator(f'g.djs-element[data-element-id="{element_id}_label"] text')
    text = label if label.count() else page.locator(
        f'g.djs-element[data-element-id="{element_id}"] .djs-visual text')
    boxes = [text.nth(i).bounding_box() for i in range(text.count())]
    boxes = [b for b in boxes if b and b["width"] and b["height"]]
    assert boxes, f"no name drawn for {element_id}"
    left, top = min(b["x"] for b in boxes), min(b["y"] for b in boxes)
    return {"x": left, "y": top,
            "width": max(b["x"] + b["width"] for b in boxes) - left,
            "height": max(b["y"] + b["height"] for b in boxes) - top}


def test_badges_do_not_cover_the_names_and_watchers_are_apart(page, server):
    with server["env"].unit_of_work() as ctx:
        for _ in range(2):
            casework.start_case(ctx, application(), "saksbehandler1")
    sign_in(page, "koordinerende1")
    page.goto(page.base + "/processes/ip_sak")
    expect(page.locator("#heatmap")).to_have_attribute("data-rendered", "true")
    waiting = page.locator("#heatmap-waiting").inner_text()
    running = int(waiting.split(" av ")[1].split()[0])
    assert int(waiting.split(": ")[1].split()[0]) <= running
    expect(page.locator("#heatmap-watched")).to_contain_text("Frister som overvåkes")
    for element_id, watcher in (("task_kartlegging", False), ("gw_vent_en_maned", True),
                                ("gw_vent_tre_uker", True)):
        badge = page.locator(f'.djs-overlays[data-container-id="{element_id}"] .heat-badge')
        expect(badge).to_have_count(1)
        if watcher:
            expect(badge).to_have_class("heat-badge heat-badge-watch")
            expect(badge).to_contain_text("frister overvåkes")
        else:
            expect(badge).to_contain_text("saker")
        box, name = badge.bounding_box(), _text_box(page, element_id)
        assert not _intersects(box, name), (element_id, box, name)
        shape = page.locator(f'g.djs-element[data-element-id="{element_id}"] .djs-visual'
                             ).bounding_box()
        # at the element's top-right: above its top edge, towards its right side
        assert box["y"] + box["height"] <= shape["y"] + 1, (element_id, box, shape)
        assert box["x"] >= shape["x"] + shape["width"] / 2
