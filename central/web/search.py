"""The header's search box: any code typed or scanned opens its record, or lists what it could mean."""
from __future__ import annotations

from urllib.parse import quote

from flask import redirect, render_template, request

from central import search as finder
from central.web.blueprint import web


def record_path(kind: str, code: str) -> str:
    """The path of a record's page."""
    return request.script_root + finder.KINDS[kind][1] + quote(code, safe="")


@web.get("/search")
def search():
    """An exact match opens its record; otherwise the matches grouped by kind, or a page saying there is none."""
    result = finder.search(request.args.get("q"))
    if result.only is not None:
        return redirect(record_path(result.only.kind, result.only.code))
    return render_template("search.html", result=result, groups=result.groups(), path=record_path)
