"""Station events that move stock: goods received, material issued, scrap reported."""
from __future__ import annotations

from central import inventory
from central.consumption import Issue, issue_materials
from central.receipts import Receipt, receive_all
from central.errors import NotFound
from central.inventory import Actor
from central.models import Batch, Item, WorkOrder
from central.recorder import handles, handles_set
from edge.contract import Event


def _receipt(event: Event, items: dict[str, Item]) -> Receipt:
    d = event.data
    item = items.get(d["item"])
    if item is None:
        raise NotFound("data.item", f"no item {d['item']!r}")
    actor = Actor.from_event(event)
    if d.get("gtin") and item.gtin and d["gtin"].zfill(14) != item.gtin:
        actor.flag("gtin_mismatch", f"goods received as {item.code} carry GTIN {d['gtin']}, the item's is {item.gtin}",
                   subject=d["batch"])
    return Receipt(item.code, d["qty"], actor, batch=d["batch"] if item.batch_tracked else None,
                   location=d.get("location"), unit_cost=d.get("unit_cost"), unit=d.get("unit"), expiry=d.get("expiry"),
                   supplier=d.get("supplier"), supplier_lot=d.get("supplier_lot"), reference=d.get("purchase_order"))


@handles("goods.received")
def goods_received(event: Event) -> None:
    """Receive the batch the station minted (an unknown item rejects the event)."""
    receive_all([_receipt(event, {i.code: i for i in Item.select().where(Item.code == event.data["item"])})])


@handles_set(goods_received)
def goods_received_together(events: list[Event]) -> None:
    """Many receipts of one batch of events, booked together."""
    items = {i.code: i for i in Item.select().where(Item.code.in_({e.data["item"] for e in events}))}
    receive_all([_receipt(e, items) for e in events])


def _issue(event: Event) -> Issue:
    d = event.data
    return Issue(d["work_order"], d["qty"], Actor.from_event(event), batch=d.get("batch"), item=d.get("item"),
                 unit=d.get("unit"))


@handles("material.issued")
def material_issued(event: Event) -> None:
    """Put the scanned batch (or the item, picked FIFO/FEFO) into the work order."""
    issue_materials([_issue(event)])


@handles_set(material_issued)
def materials_issued(events: list[Event]) -> None:
    """Many issues of one batch of events, booked together."""
    issue_materials([_issue(e) for e in events])


@handles("scrap.reported")
def scrap_reported(event: Event) -> None:
    """Write the scrapped batch or item off against the work order; without either, only the flag remains."""
    d = event.data
    actor = Actor.from_event(event)
    wo = WorkOrder.get_or_none(WorkOrder.number == d["work_order"])
    if wo is None:
        raise NotFound("data.work_order", f"no work order {d['work_order']!r}")
    batch = d.get("batch")
    if batch and not Batch.select().where(Batch.code == batch).exists():
        actor.flag("unknown_batch", f"scrapped batch {batch} of {wo.number} is unknown", subject=batch)
        batch = None
    if not batch and not d.get("item"):
        actor.flag("scrap_unbooked", f"{d['qty']} scrapped on {wo.number} without batch or item: not booked",
                   subject=wo.number, severity="info")
        return
    inventory.scrap(qty=d["qty"], actor=actor, reason=d["reason"], item=None if batch else d.get("item"),
                    batch=batch, work_order=wo.id)
