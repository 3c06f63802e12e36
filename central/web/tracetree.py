"""A trace tree as HTML, written in Python: a recall can hold thousands of branches, and a template
macro per branch would cost more than the queries behind it."""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from markupsafe import Markup, escape

from central.web.format import qty


@lru_cache(maxsize=4096)
def _link(root: str, path: str, code: str | None) -> str:
    if not code:
        return '<span class="muted">—</span>'
    return f'<a href="{escape(root + path + quote(str(code), safe=""))}">{escape(code)}</a>'


def render(node: dict, direction: str, root: str) -> Markup:
    """The branches under ``node`` as nested lists (``ul.tree``), every code a link to its record."""
    out: list[str] = []
    _children(node, direction, root, out)
    return Markup("".join(out))


def render_node(node: dict, direction: str, root: str) -> Markup:
    """``node`` itself with its branches, as one ``ul.tree``."""
    out: list[str] = ['<ul class="tree">']
    _node(node, direction, root, out)
    out.append("</ul>")
    return Markup("".join(out))


OPEN_LEVELS = 2  # the branches of the first two levels are shown; deeper ones open on a tap


def _children(node: dict, direction: str, root: str, out: list[str]) -> None:
    """The node's branches; below the batch itself, in a ``details`` that says how many there are,
    open for the first levels, so a deep trace starts as a page a phone can hold."""
    children = node["children"]
    if not children:
        return
    if node["depth"] == 0:
        out.append('<ul class="tree">')
        for child in children:
            _node(child, direction, root, out)
        out.append("</ul>")
        return
    count = f'{len(children)} batch{"es" if len(children) != 1 else ""}'
    label = f"{count} went into {node['batch']}" if direction == "backward" else f"{count} made from {node['batch']}"
    out.append(f'<details class="branches"{" open" if node["depth"] < OPEN_LEVELS else ""}>'
               f'<summary>{escape(label)}</summary><ul class="tree">')
    for child in children:
        _node(child, direction, root, out)
    out.append("</ul></details>")


def _node(n: dict, direction: str, root: str, out: list[str]) -> None:
    unit, via = n["unit"], n["via"]
    out.append("<li>")
    if via:
        out.append(f'<span class="muted">{escape(qty(via["qty"], unit))} of</span> ' if direction == "backward"
                   else '<span class="muted">made in</span> ')
    out.append(f'<strong>{_link(root, "/batches/", n["batch"])}</strong>')
    if not n["repeat"]:  # a batch shown again names only its code; its facts are where it was shown first
        out.append(f' {_link(root, "/items/", n["item"])} <span class="muted">{escape(n["item_name"] or "")}</span> '
                   f'<span class="status status-{escape(n["status"])}">{escape(n["status"])}</span>')
    if via and via["work_order"]:
        out.append(f' <span class="muted">{"into" if direction == "backward" else "by"}</span> '
                   f'{_link(root, "/work-orders/", via["work_order"])}')
    if direction == "forward" and n["made_qty"] and not n["repeat"]:
        out.append(f' <span class="muted">({escape(qty(n["made_qty"], unit))} made)</span>')
    if n["repeat"]:
        out.append(' <span class="muted">(already shown above)</span></li>')
        return
    places = [f'{escape(qty(p["qty"], unit))} in {_link(root, "/locations/", p["location"])}' for p in n["locations"]]
    places += [f'{escape(qty(d["qty"], unit))} dispatched to {escape(d["to"] or "a customer")}' for d in n["dispatches"]]
    if places:
        out.append(f'<div class="node-facts">{", ".join(places)}</div>')
    _children(n, direction, root, out)
    out.append("</li>")
