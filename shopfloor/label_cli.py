"""``shopfloor label``: preview a label to a file, or print copies of it on a printer URL."""

from __future__ import annotations

import functools
import json
import sys
import uuid
from pathlib import Path
from typing import Any, Callable

import click

from devices.printers import PrinterError, open_printer
from labels import LabelError, load_template, render


class LabelCliError(click.ClickException):
    """One line on stderr and exit code 2, never a traceback."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"shopfloor label: error: {self.format_message()}", err=True)


def _one_line_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except (LabelError, PrinterError) as exc:
            raise LabelCliError(str(exc)) from None
        except OSError as exc:
            raise LabelCliError(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")) from None
        except Exception as exc:  # the promise is one line, whatever went wrong
            raise LabelCliError(f"unexpected {type(exc).__name__}: {exc}") from None

    return wrapper


def _fields(pairs: tuple[str, ...], fields_json: str | None) -> dict[str, Any]:
    """Fields from a JSON object file, then --field k=v pairs on top."""
    fields: dict[str, Any] = {}
    if fields_json:
        try:
            loaded = json.loads(Path(fields_json).read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise LabelCliError(f"{fields_json}: not JSON: {exc.msg} (line {exc.lineno})") from None
        if not isinstance(loaded, dict):
            raise LabelCliError(f"{fields_json}: expected a JSON object of field names to values")
        fields.update(loaded)
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise LabelCliError(f"--field {pair!r}: expected name=value")
        fields[name.strip()] = value
    return fields


def _field_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        (
            click.argument("template"),
            click.option("--field", "-f", "pairs", multiple=True, metavar="NAME=VALUE", help="A field value; repeatable."),
            click.option("--fields-json", type=click.Path(dir_okay=False), help="JSON object of field values."),
            click.option("--dpi", type=click.Choice(["203", "300", "600"]), default="203", show_default=True),
        )
    ):
        func = option(func)
    return func


@click.group(name="label")
def label() -> None:
    """Preview and print labels (TEMPLATE is a shipped name such as batch or goods_in, or a .toml path)."""


@label.command()
@_field_options
@click.option("--format", "fmt", type=click.Choice(["png", "pdf", "zpl"]), default="png", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-", help="File to write; - for stdout.")
@_one_line_errors
def preview(template: str, pairs: tuple[str, ...], fields_json: str | None, dpi: str, fmt: str, output: str) -> None:
    """Render one label to a file (PNG, PDF or ZPL)."""
    data = render(load_template(template), _fields(pairs, fields_json), fmt=fmt, dpi=int(dpi))
    if output == "-":
        click.get_binary_stream("stdout").write(data)
    else:
        Path(output).write_bytes(data)
        click.echo(f"wrote {output} ({len(data)} bytes)", err=True)


@label.command(name="print")
@_field_options
@click.option("--printer", "printer_url", required=True, envvar="SHOPFLOOR_PRINTER", help="Printer URL, e.g. zpl+tcp://10.0.0.5:9100.")
@click.option("--format", "fmt", type=click.Choice(["zpl", "pdf"]), default="zpl", show_default=True)
@click.option("--copies", type=click.IntRange(1, 10_000), default=1, show_default=True)
@click.option("--job-id", help="Job id (copies get -1, -2... appended); a random one when omitted.")
@_one_line_errors
def print_(
    template: str,
    pairs: tuple[str, ...],
    fields_json: str | None,
    dpi: str,
    printer_url: str,
    fmt: str,
    copies: int,
    job_id: str | None,
) -> None:
    """Render a label and send COPIES of it to a printer."""
    # Everything is checked before the printer is even opened.
    data = render(load_template(template), _fields(pairs, fields_json), fmt=fmt, dpi=int(dpi))
    base = job_id or uuid.uuid4().hex[:12]
    with open_printer(printer_url) as printer:
        if copies == 1:
            printer.send(data, job_id=base, fmt=fmt)
        else:
            with click.progressbar(range(1, copies + 1), label="printing", file=sys.stderr) as numbers:
                for n in numbers:
                    printer.send(data, job_id=f"{base}-{n}", fmt=fmt)
    click.echo(f"sent {copies} {'copy' if copies == 1 else 'copies'} to {printer_url}", err=True)
