"""`shopfloor label preview` and `print`, driven through click's CliRunner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from shopfloor.label_cli import label


def _args(fields: dict[str, str]) -> list[str]:
    return [arg for k, v in fields.items() for arg in ("--field", f"{k}={v}")]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_preview_png_decodes(runner, tmp_path, batch_fields, decode_png):
    out = tmp_path / "label.png"
    result = runner.invoke(label, ["preview", "batch", *_args(batch_fields), "-o", str(out)])
    assert result.exit_code == 0, result.output
    found = decode_png(out.read_bytes())
    assert sorted(d.text for d in found if not d.is_gs1) == [batch_fields["url"]]
    assert len([d for d in found if d.is_gs1]) == 2


def test_preview_from_json_with_field_override(runner, tmp_path, batch_fields):
    source = tmp_path / "fields.json"
    source.write_text(json.dumps(dict(batch_fields, batch="WRONG")))
    result = runner.invoke(
        label, ["preview", "batch", "--fields-json", str(source), "-f", "batch=B-42", "--format", "zpl", "--dpi", "300"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("^XA")
    assert "Batch B-42" in result.stdout and "WRONG" not in result.stdout


def test_print_copies_through_a_printer_url(runner, tmp_path, goods_in_fields):
    folder = tmp_path / "spool"
    result = runner.invoke(
        label,
        ["print", "goods_in", *_args(goods_in_fields), "--printer", f"file://{folder}", "--copies", "3", "--job-id", "gi7"],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["gi7-1.zpl", "gi7-2.zpl", "gi7-3.zpl"]
    assert (folder / "gi7-2.zpl").read_bytes().startswith(b"^XA")
    assert "sent 3 copies" in result.stderr


@pytest.mark.parametrize(
    "extra, words",
    [
        (["-f", "gtin=123"], "gtin: GTIN '123' has 3 digits"),
        (["-f", "produced=2026-02-30"], "produced: '2026-02-30' is not a date"),
        (["-f", "nonsense"], "expected name=value"),
        (["--printer", "bogus://x"], "unknown printer scheme"),
        (["--printer", "zpl+tcp://127.0.0.1:1?connect_timeout=0.5"], "printer unreachable"),
        (["--printer", "zpl+tcp://127.0.0.1:9100", "--format", "pdf"], "takes zpl, not pdf"),
    ],
)
def test_print_errors_are_one_line(runner, batch_fields, extra, words):
    args = ["print", "batch", *_args(batch_fields), "--printer", "memory://", *extra]
    result = runner.invoke(label, args)
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("shopfloor label: error: ")
    assert words in lines[0]
    assert "Traceback" not in result.output


def test_bad_json_file_is_one_line(runner, tmp_path):
    bad = tmp_path / "f.json"
    bad.write_text("{nope")
    result = runner.invoke(label, ["preview", "batch", "--fields-json", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith("shopfloor label: error: ") and "not JSON" in result.stderr
