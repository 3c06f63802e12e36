"""`shopfloor demo`: the whole system on one machine, with a station replaying a scripted shift.

Started together: the embedded MQTT broker, central web (werkzeug, in a thread), the central
ingest, and one station daemon whose scanner is fed by the script and whose printer writes
labels into ``{data_dir}/labels``. Every scan goes the real way: station state machine →
outbox → MQTT → ingest → domain handlers. A second run reuses the database and starts a new
shift on a new work order (the next ``WO-DEMO-NNNN``, released for it), never a replay of an
earlier shift: earlier work orders, their batches and their costs stay as they were.
"""
from __future__ import annotations

import logging
import signal
import socket
import threading
import time
from contextlib import suppress
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import click

from devices.scanners import MemoryScanner

log = logging.getLogger("shopfloor.demo")

SITE, STATION, OPERATOR, WORK_ORDER_PREFIX = "plant1", "DEMO1", "OP-DEMO", "WO-DEMO-"
TECHNICIAN, MACHINE = "OP-TECH", "MIXER-1"
#: The breakdown of the shift: the machine stops, a technician scans in, names the failure, scans out.
BREAKDOWN = ["CMD:DOWN", "RC:DT-JAM", TECHNICIAN, "RC:F-BEARING", "RC:C-WEAR", "RC:R-REPLACE", TECHNICIAN, "CMD:UP"]
MADE = Decimal(100)  # what each shift reports as the main output


def _central_settings(data_dir: Path, port: int, mqtt_port: int, host: str = "127.0.0.1"):
    from central.config import load_settings

    return load_settings(overrides={
        "database.url": f"sqlite:///{data_dir / 'central.db'}", "data_dir": str(data_dir),
        "web.host": host, "web.port": port, "mqtt.url": f"mqtt://127.0.0.1:{mqtt_port}",
        "mqtt.username": "", "mqtt.protocol": "3.1.1"})


def _edge_settings(data_dir: Path, mqtt_port: int, port: int):
    from edge.config import load_settings

    return load_settings(env={}, overrides={
        "site.code": SITE, "station.code": STATION, "data_dir": str(data_dir / "station"),
        "mqtt.url": f"mqtt://127.0.0.1:{mqtt_port}", "printer.url": f"file://{(data_dir / 'labels').resolve()}",
        "scanner.urls": "memory://", "screen.port": 0, "validate.unknown_work_order": "flag",
        "labels.base_url": f"http://127.0.0.1:{port}/batches/", "sync.ack_timeout": 5.0,
        "mqtt.reconnect_min": 0.2, "mqtt.reconnect_max": 2.0})


def prepare_database(settings) -> tuple[tuple[str, str] | None, str]:
    """Migrate, seed the first admin, load the demo data, register the station and its operator.

    Returns the first login (None once its password was changed) and this run's work order.
    """
    from central.db import database
    from central.certification import issue_certification
    from central.models import Operator, Station
    from central.schema import migrate
    from central.seed import seed_defaults

    migrate()
    login = seed_defaults(settings)
    from central.demo_data import load_demo_data

    with database.connection_context():
        load_demo_data()
        with database.atomic():
            if not Operator.select().where(Operator.badge == OPERATOR).exists():
                Operator.create(badge=OPERATOR, name="Demo Operator")
                # the mixing stage requires MIXING, and the station checks it at START
                issue_certification(OPERATOR, "MIXING", issued="2020-01-01")
            if not Station.select().where(Station.code == STATION).exists():
                Station.create(code=STATION, site=SITE, name="Demo station", kind="production")
            prepare_maintenance()
        number = shift_work_order()
    return login, number


def prepare_maintenance() -> None:
    """The demo's machine in maintenance: the mixer as an asset at the station's work centre, reason
    codes for its stops and failures, a technician who gets every new job, and a preventive schedule
    every 80 mixer cycles (the shift reports 100, so it comes due during the shift)."""
    from central.maintenance import assets, schedules, staff, templates
    from central.maintenance.assignment import create_rule
    from central.models import AssignmentRule, Asset, Machine, MaintenanceSchedule, Operator, ReasonCode, Station
    from central.models import Technician, WorkCentre

    centre = WorkCentre.get(WorkCentre.code == "MIX")
    Station.update(work_centre=centre.id).where(Station.code == STATION, Station.work_centre.is_null()).execute()
    if not Machine.select().where(Machine.code == MACHINE).exists():
        Machine.create(code=MACHINE, name="Spiral mixer", work_centre=centre.id)
    if not Asset.select().where(Asset.code == MACHINE).exists():
        assets.create_asset(MACHINE, name="Spiral mixer", machine=MACHINE, location="Mixing room", criticality="high")
    for code, category, text in (("DT-JAM", "downtime", "Jam"), ("F-BEARING", "failure", "Bearing failure"),
                                 ("C-WEAR", "cause", "Normal wear"), ("R-REPLACE", "remedy", "Part replaced")):
        if not ReasonCode.select().where(ReasonCode.code == code).exists():
            ReasonCode.create(code=code, category=category, description=text)
    if not Technician.select().where(Technician.code == "TECH-DEMO").exists():
        if not Operator.select().where(Operator.badge == TECHNICIAN).exists():
            Operator.create(badge=TECHNICIAN, name="Demo Technician")
        staff.create_technician("TECH-DEMO", name="Demo Technician", operator=TECHNICIAN, hourly_rate="55")
    if not AssignmentRule.select().exists():
        create_rule(name="Everything to the demo technician", technician="TECH-DEMO")
    if not MaintenanceSchedule.select().where(MaintenanceSchedule.code == "MIXER-LUBE").exists():
        templates.save_template("MIXER-LUBE", {"title": "Lubricate the mixer", "type": "preventive",
                                               "checklist": [{"text": "Grease the bearings", "kind": "tick"}]},
                                by="demo")
        schedules.create_schedule(code="MIXER-LUBE", name="Mixer lubrication", asset=MACHINE, template="MIXER-LUBE",
                                  trigger="cycles", interval=80, by="demo")


def shift_work_order() -> str:
    """This run's work order: the newest demo work order while nobody has started it, else a new one.

    The new one is the next ``WO-DEMO-NNNN``, with the first one's recipe and quantity,
    released; so a second run is a new shift, not the first one again.
    """
    from central import production
    from central.demo_data import WORK_ORDER
    from central.models import WorkOrder

    numbers = sorted(n for n, in WorkOrder.select(WorkOrder.number)
                     .where(WorkOrder.number.startswith(WORK_ORDER_PREFIX)).tuples())
    newest = WorkOrder.get(WorkOrder.number == numbers[-1])
    if newest.status == "released":
        return newest.number
    number = f"{WORK_ORDER_PREFIX}{int(newest.number[len(WORK_ORDER_PREFIX):]) + 1:04d}"
    production.create_work_order(WORK_ORDER | {"number": number})
    return number


def _recipe_of(number: str):
    """The work order's recipe inputs (item, per unit, mode) and outputs (item, kind), or None."""
    from central.db import database
    from central.models import Item, Recipe, RecipeInput, RecipeOutput, WorkOrder

    with database.connection_context():
        wo = WorkOrder.get_or_none(WorkOrder.number == number)
        if wo is None:
            return None
        recipe = Recipe.get_by_id(wo.recipe_id)
        needed = [(ri.item, ri.qty_per_unit, ri.mode) for ri in
                  RecipeInput.select(RecipeInput, Item).join(Item).where(RecipeInput.recipe == recipe)]
        outputs = [(ro.item, ro.kind) for ro in RecipeOutput.select(RecipeOutput, Item).join(Item)
                   .where(RecipeOutput.recipe == recipe)]
    return needed, outputs


def shift_script(work_order: str) -> list[str]:
    """The scans of the demo shift on ``work_order``, built from its recipe."""
    recipe = _recipe_of(work_order)
    if recipe is None:
        return [OPERATOR, "CMD:DOWN", "RC:DT-DEMO", "CMD:UP", OPERATOR]
    needed, outputs = recipe
    made = MADE
    scans = [OPERATOR, "CMD:RECEIVE"]
    expiry = (date.today() + timedelta(days=180)).strftime("%y%m%d")
    for n, (item, per_unit, _) in enumerate(needed, 1):  # backflushed inputs must be in stock too
        qty = (per_unit * made * 2).normalize()
        if item.gtin and item.unit in ("pcs", "ea") and qty == qty.to_integral_value():
            scans.append(f"]C101{item.gtin.zfill(14)}17{expiry}10LOT{n:03d}\x1d37{int(qty)}")
        else:
            scans += [f"ITEM:{item.code}", f"Q:{format(qty, 'f')}"]
    scans += ["CMD:PRODUCE", work_order, "CMD:START"]
    scans += BREAKDOWN  # the mixer breaks down and is repaired at the station
    for n, (item, per_unit, mode) in enumerate(needed, 1):  # @input<n>: the batch of the n-th receipt
        if mode == "scanned":
            scans += [f"@input{n}", f"Q:{format((per_unit * made).normalize(), 'f')}"]
    commands = {"main": "CMD:OUT-MAIN", "co": "CMD:OUT-CO", "by": "CMD:OUT-BY"}
    for item, kind in outputs:
        if kind in commands:
            scans += [commands[kind], f"ITEM:{item.code}" if sum(k == kind for _, k in outputs) > 1 else "",
                      f"Q:{made if kind == 'main' else 2}"]
    scans += ["CMD:DONE", "CMD:CLOSE", OPERATOR]
    return [s for s in scans if s]


def backflush_lines(work_order: str) -> list[str]:
    """Why stock shows inputs consumed that no scan issued: the recipe's backflushed inputs."""
    recipe = _recipe_of(work_order)
    if recipe is None:
        return []
    flushed = [(item, per_unit) for item, per_unit, mode in recipe[0] if mode == "backflush"]
    if not flushed:
        return []
    used = ", ".join(f"{_plain(str(per_unit * MADE))} {item.unit} {item.code}" for item, per_unit in flushed)
    return [f"backflushed: the shift scanned only what it issued by hand; reporting {MADE} made on "
            f"{work_order} also consumed, by the recipe's quantity per unit and without a scan: {used}"]


def replay(station, scanner: MemoryScanner, scans: list[str], stop: threading.Event) -> None:
    """Feed the script through the scanner, waiting for each result as an operator would."""
    received: list[str] = []
    for text in scans:
        if stop.is_set():
            return
        if text.startswith("@input"):
            code = received[int(text[6:]) - 1]
            deadline = time.monotonic() + 15
            while station.config.batch(code) is None and time.monotonic() < deadline and not stop.is_set():
                time.sleep(0.1)  # central tells the station about the new batch in its config
            text = code
        before = station.scans_handled
        scanner.scan(text)
        while station.scans_handled == before and not stop.is_set():
            time.sleep(0.01)
        last = station.last or {}
        shown = text.replace("\x1d", "<GS>")
        click.echo(f"  scan {shown:<58} {last.get('level', ''):>6}  {last.get('message', '')}")
        if last.get("message", "").startswith("Received"):
            received.append(last["message"].split(" as batch ")[1].split(":")[0])
        time.sleep(0.05)


def maintenance_lines() -> list[str]:
    """What the shift did to maintenance: the breakdown work orders and the preventive work that came due."""
    from central.db import database
    from central.models import Asset, MaintenanceWorkOrder as Mwo

    with database.connection_context():
        rows = list(Mwo.select(Mwo, Asset).join(Asset).where(Asset.code == MACHINE).order_by(Mwo.id))
    return [f"maintenance: {w.number} {w.source} on {MACHINE}, {w.status.replace('_', ' ')}: {w.title}"
            + (f" (failure {w.failure_code})" if w.failure_code else "") for w in rows]


SHIPPED = Decimal(40)  # cookies of each shift sent to a customer: the forward trace ends there


def ship_to_customer(work_order: str) -> list[str]:
    """The shipping office sends part of the shift's cookies to a customer, as from its page: the
    batch's trace and recall list then end at a customer, and the dispatch has its pallet labels."""
    from central.db import database
    from central.inventory import Actor, dispatch
    from central.models import WorkOrder, WorkOrderOutput

    reference = f"ORDER-{work_order.rsplit('-', 1)[-1]}"
    with database.connection_context():
        made = (WorkOrderOutput.select(WorkOrderOutput.batch).join(WorkOrder)
                .where(WorkOrder.number == work_order, WorkOrderOutput.kind == "main").first())
        if made is None:
            return []
        dispatch(batch=made.batch.code, qty=SHIPPED, reference=reference, actor=Actor(user="shipping"))
        return [f"dispatched: {_plain(str(SHIPPED))} pcs of batch {made.batch.code} to customer order {reference}"]


def _plain(number: str) -> str:
    """A decimal string without trailing zeros: '200.000000' → '200', '0.500000' → '0.5'."""
    return format(Decimal(number).normalize(), "f")


def _stock_lines() -> list[str]:
    from central.db import database
    from central.stockview import on_hand

    with database.connection_context():
        rows, _ = on_hand(limit=500)
    lines = [f"  {'item':<14} {'batch':<20} {'location':<12} {'qty':>10} {'unit':<5} {'value':>10}"]
    lines += [f"  {r['item']:<14} {r['batch'] or '-':<20} {r['location']:<12} {_plain(r['qty']):>10} "
              f"{r['unit']:<5} {Decimal(r['value']):>10.2f}" for r in rows]
    return lines if rows else []


def pick_mqtt_port(requested: int) -> int:
    """``requested``, or when it is 0: 1883 if free, else any free port (the demo's broker is its own)."""
    from shopfloor.broker import BrokerError, check_port_free

    if requested:
        return requested
    try:
        check_port_free("127.0.0.1", 1883)
        return 1883
    except BrokerError:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]


def plain_request_handler():
    """werkzeug's request handler logging plain lines: no terminal colour codes in logs or files."""
    from werkzeug.serving import WSGIRequestHandler

    class PlainRequestHandler(WSGIRequestHandler):
        def log_request(self, code="-", size="-") -> None:
            line = getattr(self, "requestline", "").translate(self._control_char_table)
            self.log("info", '"%s" %s %s', line, code, size)

    return PlainRequestHandler


def web_addresses(host: str, port: int) -> list[str]:
    """Where a browser can open the demo: the loopback address, and for 0.0.0.0 this machine's own addresses."""
    if host not in ("0.0.0.0", "::", ""):
        return [f"http://{host}:{port}/"]
    found = []
    with suppress(OSError):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            found.append(sock.getsockname()[0])
    with suppress(OSError):
        found += [a[4][0] for a in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    found = [a for a in dict.fromkeys(found) if not a.startswith("127.")]
    return [f"http://127.0.0.1:{port}/"] + [f"http://{a}:{port}/" for a in found]


def where_to_look(base: str, work_order: str) -> list[str]:
    """The pages that show what the shift did, with the batch the work order made."""
    from central.models import WorkOrder, WorkOrderOutput

    base = base.rstrip("/")
    lines = [f"  board (live):      {base}/board", f"  work order:        {base}/work-orders/{work_order}"]
    made = (WorkOrderOutput.select(WorkOrderOutput.batch).join(WorkOrder)
            .where(WorkOrder.number == work_order, WorkOrderOutput.kind == "main").first())
    if made is not None:
        code = made.batch.code
        lines += [f"  its output batch:  {base}/batches/{code}", f"  its trace:         {base}/batches/{code}/trace"]
    reference = f"ORDER-{work_order.rsplit('-', 1)[-1]}"
    lines += [f"  the dispatch:      {base}/dispatches/{reference}/sscc-labels", f"  stock:             {base}/stock"]
    return lines


def run_demo(port: int = 8000, mqtt_port: int = 0, data_dir: str = "var/demo", shift: bool = True,
             host: str = "127.0.0.1") -> None:
    """Start everything, replay the shift (optional), print the stock, then run until Ctrl-C.

    ``mqtt_port`` 0 means 1883 when it is free, else any free port. ``host`` is where the web
    server listens: 0.0.0.0 lets a phone on the same network open the pages.
    """
    from werkzeug.serving import make_server

    from central import create_app
    from central.db import check_connection, open_database
    from central.ingest import Ingest
    from edge.daemon import Station
    from shopfloor.broker import BrokerThread, check_port_free

    root = Path(data_dir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    check_port_free(host, port)
    mqtt_port = pick_mqtt_port(mqtt_port)
    check_port_free("127.0.0.1", mqtt_port)
    settings = _central_settings(root, port, mqtt_port, host)
    open_database(settings["database.url"])
    check_connection()
    login, work_order = prepare_database(settings)

    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())

    broker = BrokerThread("127.0.0.1", mqtt_port).start()
    web = make_server(host, port, create_app(settings), threaded=True, request_handler=plain_request_handler())
    web_thread = threading.Thread(target=web.serve_forever, name="central-web", daemon=True)
    web_thread.start()
    ingest = Ingest(settings, client_id="central-demo").start()
    scanner = MemoryScanner()
    station = Station(_edge_settings(root, mqtt_port, port), scanners=[scanner]).start()
    try:
        addresses = web_addresses(host, port)
        for address in addresses:
            click.echo(f"central web: {address}")
        click.echo(f"live board: {addresses[0]}board (open it to watch the shift)")
        click.echo(f"first login: {login[0]} / {login[1]}" if login else "first login: admin (password changed since)")
        click.echo(f"labels: {root / 'labels'}")
        if not ingest.connected.wait(15):
            raise click.ClickException(f"the ingest could not reach the broker on port {mqtt_port}")
        if shift:
            deadline = time.monotonic() + 15
            while station.config.work_order(work_order) is None and time.monotonic() < deadline:
                time.sleep(0.1)  # central sends the station its work orders in its config
            click.echo(f"replaying a shift on work order {work_order} at the demo station:")
            replay(station, scanner, shift_script(work_order), stop)
            deadline = time.monotonic() + 30
            while (station.outbox.depth() or station.outbox.jobs("pending")) and time.monotonic() < deadline:
                time.sleep(0.1)
            click.echo(f"events waiting at the station: {station.outbox.depth()}, "
                       f"rejected: {station.outbox.dead_count()}")
            for line in ship_to_customer(work_order):
                click.echo(line)
            click.echo("stock on hand:")
            for line in _stock_lines() or ["  (none)"]:
                click.echo(line)
            for line in backflush_lines(work_order):
                click.echo(line)
            for line in maintenance_lines():
                click.echo(line)
            click.echo("where to look (sign in first):")
            for line in where_to_look(addresses[-1], work_order):
                click.echo(line)
        click.echo("running; Ctrl-C stops everything")
        while not stop.wait(0.5):
            pass
    finally:
        station.stop()
        ingest.stop()
        web.shutdown()
        broker.stop()
        click.echo("demo stopped")
