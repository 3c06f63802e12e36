"""What the declared schemas cost per request: the same endpoint with and without them.

The whole-request medians move by several percent with the load of a shared machine; the
validation step is also timed inside the real requests, which is the steadier figure.

A 300-line body (POST /recipes with 300 inputs) and a list answer (GET /items, 500 rows a page,
two pages for 1,000 rows), each through the real app (test client, SQLite or PostgreSQL), next
to a bare Flask route in the same app doing the same domain work with no declaration. Also
the validation alone, and what checking a 1,000-row answer against its response model costs
(the app does not do that at run time; the tests and schemathesis do).

    python bench/bench_api.py               # SQLite
    python bench/bench_api.py --postgres    # PostgreSQL (database shopfloor_bench)
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import DEFAULT_PG, fresh  # noqa: E402

from central import create_app, recipes  # noqa: E402
from central.api.production import RecipeCreate, recipe_dict  # noqa: E402
from central.api.stock import ItemPage, item_dict  # noqa: E402
from central.auth import create_user, issue_token  # noqa: E402
from central.catalog import create_item, create_location  # noqa: E402
from central.db import database  # noqa: E402
from central.models import Item  # noqa: E402

LINES = 300
ROWS = 1000


def median(samples: list[float]) -> float:
    return sorted(samples)[len(samples) // 2]


def timed(fn, n: int) -> float:
    samples = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - start)
    return median(samples)


def paired(first, second, n: int) -> tuple[float, float]:
    """Medians of two ways run alternately, so load on the machine falls on both alike."""
    a, b = [], []
    for i in range(n):
        for fn, samples in ((first, a), (second, b)) if i % 2 else ((second, b), (first, a)):
            start = time.perf_counter()
            fn(i)
            samples.append(time.perf_counter() - start)
    return median(a), median(b)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="a PostgreSQL database of its own (emptied)")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    url = fresh("postgres" if args.postgres else "sqlite", args.pg_url)
    app = create_app({"database.url": url, "web.secret_key": "bench", "data_dir": "/tmp/shopfloor-bench-api"})

    from flask import jsonify, request

    from central.auth import require_role

    @require_role("planner")
    def bare_recipes():
        return jsonify(recipe_dict(recipes.create_recipe(request.get_json()))), 201

    def bare_items():
        limit, offset = int(request.args.get("limit", 50)), int(request.args.get("offset", 0))
        rows = Item.select().order_by(Item.code)
        return jsonify({"items": [item_dict(i) for i in rows.limit(limit).offset(offset)], "total": rows.count(),
                        "limit": limit, "offset": offset})

    app.add_url_rule("/bench/recipes", "bench_recipes", bare_recipes, methods=["POST"])
    app.add_url_rule("/bench/items", "bench_items", bare_items)

    with database.connection_context():
        token = issue_token(create_user("bench", "bench-password-1", "admin"), "bench")
        for code, role in (("RECV", "receiving"), ("STORE", "storage"), ("FG", "finished")):
            create_location({"code": code, "role": role})
        for i in range(ROWS):
            create_item({"code": f"RM-{i:04d}", "unit": "kg", "name": f"raw material {i}"})
        create_item({"code": "FG", "unit": "pcs"})
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def body(code: str) -> dict:
        return {"code": code, "name": "bench", "inputs": [{"item": f"RM-{i:04d}", "qty_per_unit": "0.125", "mode": "scanned"}
                                                          for i in range(LINES)],
                "outputs": [{"item": "FG", "kind": "main", "cost_share": "100"}]}

    def post(path: str, prefix: str):
        def run(i: int):
            response = client.post(path, json=body(f"{prefix}-{i}"))
            assert response.status_code == 201, response.get_json()
        return run

    def pages(path: str):
        def run(_i: int):
            for offset in (0, 500):
                response = client.get(f"{path}?limit=500&offset={offset}")
                assert response.status_code == 200 and len(response.get_json()["items"]) == 500
        return run

    import flask_openapi3.scaffold as scaffold

    spent: list[float] = []
    original = scaffold._validate_request

    def measured(**kwargs):  # the declared path's validation step, timed inside real requests
        start = time.perf_counter()
        try:
            return original(**kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    scaffold._validate_request = measured
    n = args.runs
    post("/bench/recipes", "W")(10_000)  # warm up both paths
    post("/api/v1/recipes", "W")(10_001)
    spent.clear()
    declared_post, bare_post = paired(post("/api/v1/recipes", "D"), post("/bench/recipes", "B"), n)
    post_validation = median(spent)
    sample = body("V")
    validate_only = timed(lambda _i: RecipeCreate.model_validate(sample), n * 10)

    pages("/bench/items")(0)
    spent.clear()
    declared_list, bare_list = paired(pages("/api/v1/items"), pages("/bench/items"), n)
    list_validation = median(spent) * 2
    with database.connection_context():
        rows = [item_dict(i) for i in Item.select().order_by(Item.code).limit(ROWS)]
    answer = {"items": rows, "total": len(rows), "limit": 500, "offset": 0}
    check_answer = timed(lambda _i: ItemPage.model_validate(answer), n)

    kind = "PostgreSQL" if args.postgres else "SQLite"
    print(f"== API validation overhead, {kind}, median of {n} ==")
    print(f"POST /recipes, {LINES} input lines:  declared {declared_post * 1000:7.2f} ms   bare {bare_post * 1000:7.2f} ms"
          f"   difference {(declared_post - bare_post) / bare_post * 100:+5.1f} %")
    print(f"   validation inside the request:      {post_validation * 1e6:7.1f} µs"
          f"   = {post_validation / declared_post * 100:4.1f} % of the request (body model alone {validate_only * 1e6:.0f} µs)")
    print(f"GET /items, {ROWS} rows in 2 pages:    declared {declared_list * 1000:7.2f} ms   bare {bare_list * 1000:7.2f} ms"
          f"   difference {(declared_list - bare_list) / bare_list * 100:+5.1f} %")
    print(f"   validation inside the requests:     {list_validation * 1e6:7.1f} µs"
          f"   = {list_validation / declared_list * 100:4.1f} % of the requests (answers are not re-validated)")
    print(f"   checking a {ROWS}-row answer against ItemPage (tests only): {check_answer * 1000:6.2f} ms")


if __name__ == "__main__":
    main()
