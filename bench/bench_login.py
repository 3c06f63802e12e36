"""Sign-in: how long a known user, an unknown user and a deactivated user take to be answered,
side by side with werkzeug's bare scrypt check, and what the gate adds per signed-in request.

An attacker must not tell known from unknown names by the time of the answer, so the three
sign-in figures should be within a few percent of each other and of the bare check.

    python bench/bench_login.py              # SQLite in a temporary folder
    python bench/bench_login.py --rounds 40
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.security import check_password_hash  # noqa: E402

from central import auth, create_app  # noqa: E402
from central.db import database  # noqa: E402
from central.schema import migrate  # noqa: E402


def _median_ms(fn, rounds: int) -> tuple[float, float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"database.url": f"sqlite:///{tmp}/central.db", "data_dir": tmp, "web.secret_key": "bench",
                          "web.login_limit_user": "100000 per minute", "web.login_limit_client": "100000 per minute"})
        with database.connection_context():
            migrate()
            known = auth.create_user("known", "copper kettle drifts north", "viewer")
            auth.set_active(auth.create_user("gone", "copper kettle drifts north", "viewer"), False)
            stored = known.password_hash
        rows = []
        with database.connection_context():
            rows.append(("bare werkzeug scrypt check", *_median_ms(lambda: check_password_hash(stored, "wrong guess here"), args.rounds)))
            rows.append(("known user, wrong password", *_median_ms(lambda: auth.authenticate("known", "wrong guess here"), args.rounds)))
            rows.append(("unknown user", *_median_ms(lambda: auth.authenticate("nobody", "wrong guess here"), args.rounds)))
            rows.append(("deactivated user, right password", *_median_ms(lambda: auth.authenticate("gone", "copper kettle drifts north"), args.rounds)))
        client = app.test_client()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
        signed = client.post("/login", data={"username": "known", "password": "copper kettle drifts north", "csrf_token": token})
        assert signed.status_code == 302, signed.get_data(as_text=True)[-600:]
        assert client.get("/flags").status_code == 200
        rows.append(("GET /api/v1/health (no login)", *_median_ms(lambda: client.get("/api/v1/health"), args.rounds * 10)))
        rows.append(("GET /flags signed in (session lookup)", *_median_ms(lambda: client.get("/flags"), args.rounds * 10)))
        print(f"{'what':40} {'median ms':>10} {'max ms':>10}")
        for name, median, top in rows:
            print(f"{name:40} {median:10.2f} {top:10.2f}")


if __name__ == "__main__":
    main()
