"""Label rendering figures: ZPL time a label, and PDF time against bare reportlab in the same run.

    .venv/bin/python bench/bench_labels.py [--labels N]

Targets: ZPL <= 0.2 ms a label; our PDF <= 1.2x a bare reportlab drawing of the same content, for
the batch label (text, two GS1-128, a QR), goods in (text, GS1 DataMatrix, QR, Code 128) and a
pallet without GTIN (text and Code 128 only).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from labels import load_template, render  # noqa: E402
from labels import gs1, matrix, pdf  # noqa: E402
from labels.layout import BarsItem, BoxItem, MatrixItem, TextItem, layout  # noqa: E402


def batch_fields(n: int) -> dict[str, str]:
    """A distinct batch label per n: batch, quantity and URL change, item, GTIN and dates do not."""
    code = f"S01-261121-{n:05d}"
    return {
        "item": "Flour type 550",
        "item_code": "RM-FL550",
        "gtin": "09501101530003",
        "batch": code,
        "qty": f"{10 + n % 90}.5",
        "unit": "kg",
        "produced": "2026-11-21",
        "expiry": "2027-05-21",
        "work_order": "WO-2026-0001",
        "operator": "OP-17",
        "url": f"https://shopfloor.example/batches/{code}",
    }


def all_distinct_fields(n: int) -> dict[str, str]:
    """A batch label whose GTIN and dates change too, so neither GS1 symbol repeats an earlier one."""
    body = f"0950110{n:06d}"
    produced = dt.date(2026, 1, 1) + dt.timedelta(days=n % 3000)
    return dict(
        batch_fields(n),
        gtin=body + gs1.check_digit(body),
        produced=produced.isoformat(),
        expiry=(produced + dt.timedelta(days=180)).isoformat(),
    )


def goods_in_fields(n: int) -> dict[str, str]:
    """A distinct goods-in label per n: GS1 DataMatrix, QR and Code 128."""
    code = f"S01-261120-{n:05d}"
    return {
        "item": "Hex bolt M8x40", "item_code": "BOLT-M8-40", "gtin": "4006381333931", "batch": code,
        "supplier_lot": f"L4711-{n}", "supplier": "Schrauben Mueller GmbH", "qty": f"{250 + n % 90}",
        "unit": "pcs", "received": "2026-11-20", "expiry": "2031-11-30",
        "url": f"https://shopfloor.example/batches/{code}",
    }


def sscc_fields(n: int) -> dict[str, str]:
    """A distinct pallet label per n, no GTIN: text and Code 128 only."""
    return {
        "sscc": f"0095011015{n:07d}", "ship_from": "Shopfloor Plant 1, Springfield",
        "item": "Flour type 550", "item_code": "RM-FL550", "count": str(24 + n % 40),
        "batch": f"S01-261121-{n:05d}", "reference": f"DSP-{n}",
    }


def bare_reportlab(label, grids) -> bytes:
    """The same label drawn straight onto a reportlab canvas: shapes precomputed, no checks."""
    buf = io.BytesIO()
    k = 72.0 / label.dpi
    height = label.height
    c = Canvas(buf, pagesize=(label.width * k, height * k), pageCompression=1)
    path = c.beginPath()
    for item in label.items:
        if isinstance(item, TextItem):
            c.setFont(pdf.font_name(item.bold), item.height * k)
            c.drawString(item.x * k, (height - item.y - item.height * pdf.ASCENT) * k, item.text)
        elif isinstance(item, BarsItem):
            for start, length in matrix.runs(grids[id(item)]):
                path.rect((item.x + start * item.module) * k, (height - item.y - item.height) * k,
                          length * item.module * k, item.height * k)
        elif isinstance(item, MatrixItem):
            m = item.module
            for r, row in enumerate(grids[id(item)]):
                for start, length in matrix.runs(row):
                    path.rect((item.x + start * m) * k, (height - item.y - (r + 1) * m) * k, length * m * k, m * k)
        elif isinstance(item, BoxItem):
            for x, y, w, h in pdf.box_rects(item):
                path.rect(x * k, (height - y - h) * k, w * k, h * k)
    c.drawPath(path, stroke=0, fill=1)
    c.showPage()
    c.save()
    return buf.getvalue()


def timed(func, items) -> float:
    """Seconds for func over every item."""
    start = time.perf_counter()
    for item in items:
        func(item)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=2000)
    args = parser.parse_args()
    template = load_template("batch")

    # Warm up imports, fonts and the template cache outside the timings.
    render(template, batch_fields(99999), fmt="zpl")
    render(template, batch_fields(99999), fmt="pdf")

    for offset, dpi in ((0, 203), (args.labels, 300)):
        fields = [batch_fields(offset + n) for n in range(args.labels)]
        seconds = timed(lambda f: render(template, f, fmt="zpl", dpi=dpi), fields)
        print(f"ZPL {dpi} dpi, distinct labels: {seconds / len(fields) * 1e3:.3f} ms a label (target <= 0.2)")
    fields = [all_distinct_fields(3 * args.labels + n) for n in range(args.labels)]
    seconds = timed(lambda f: render(template, f, fmt="zpl", dpi=203), fields)
    print(f"ZPL 203 dpi, all GS1 distinct:  {seconds / len(fields) * 1e3:.3f} ms a label")
    same = batch_fields(0)
    seconds = timed(lambda _: render(template, same, fmt="zpl"), range(args.labels))
    print(f"ZPL 203 dpi, one label again:   {seconds / args.labels * 1e3:.3f} ms a label")

    n_pdf = max(50, args.labels // 10)
    for name, make, offset in (("batch", batch_fields, 5), ("goods_in", goods_in_fields, 6), ("sscc", sscc_fields, 7)):
        pdf_against_bare(load_template(name), [make(offset * args.labels + n) for n in range(n_pdf)])


def pdf_against_bare(template, pdf_fields) -> None:
    """Our PDF from fields against bare reportlab drawing the same precomputed shapes, alternately."""
    render(template, pdf_fields[0], fmt="pdf")  # warm up this template
    labels = [layout(template, f, 203) for f in pdf_fields]
    grids = []
    for label in labels:
        g = {}
        for item in label.items:
            if isinstance(item, BarsItem):
                g[id(item)] = item.modules
            elif isinstance(item, MatrixItem):
                g[id(item)] = matrix.grid(item)
        grids.append(g)
    # Alternate the two label by label so that machine noise hits both alike; of three rounds, keep
    # each side's fastest, as timeit does. Before each round our side's symbol caches are emptied,
    # so it encodes every symbol as it would for a label never seen.
    rounds = []
    for _ in range(3):
        matrix._encode.cache_clear()
        matrix._dark_runs.cache_clear()
        matrix._size.cache_clear()
        ours = bare = 0.0
        for f, label, g in zip(pdf_fields, labels, grids):
            ours += timed(lambda x: render(template, x, fmt="pdf"), [f])
            bare += timed(lambda x: bare_reportlab(*x), [(label, g)])
        rounds.append((ours, bare))
    ours, bare = min(r[0] for r in rounds), min(r[1] for r in rounds)
    n = len(pdf_fields)
    print(f"PDF {template.name:<9} ours (fields to bytes): {ours / n * 1e3:7.3f} ms a label")
    print(f"PDF {template.name:<9} bare reportlab:         {bare / n * 1e3:7.3f} ms a label")
    print(f"PDF {template.name:<9} ratio ours / bare:      {ours / bare:7.2f} (target <= 1.2)")

if __name__ == "__main__":
    main()
