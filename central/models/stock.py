"""Stock: items, locations, batches, the quantity of each batch per location, and cost layers."""
from __future__ import annotations

import peewee as pw

from central.models.base import BaseModel, utcnow
from central.models.fields import FixedDecimalField

COSTING_METHODS = ("fifo", "average")
BATCH_STATUSES = ("released", "quarantine", "blocked")
LOCATION_ROLES = ("receiving", "storage", "production", "finished", "dispatch")


class Item(BaseModel):
    """Something kept in stock: raw material, packaging, product, by-product or scrap."""

    code = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=128, default="")
    unit = pw.CharField(max_length=16)
    batch_tracked = pw.BooleanField(default=True)
    costing = pw.CharField(max_length=16, default="fifo")
    gtin = pw.CharField(max_length=14, null=True, index=True)
    shelf_life_days = pw.IntegerField(null=True)
    last_cost = FixedDecimalField(default=0)  # unit cost of the latest receipt: values a shortfall
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)


class Location(BaseModel):
    """A place stock can be: a receiving bay, a store, a line side, a finished-goods area."""

    code = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=128, default="")
    role = pw.CharField(max_length=16, default="storage")
    active = pw.BooleanField(default=True)


class Batch(BaseModel):
    """One lot of an item under one code, minted at a station or given at goods receipt."""

    code = pw.CharField(max_length=64, unique=True)
    item = pw.ForeignKeyField(Item, backref="batches", on_delete="RESTRICT")
    status = pw.CharField(max_length=16, default="released")
    expiry = pw.DateField(null=True, index=True)
    supplier = pw.CharField(max_length=64, null=True)
    supplier_lot = pw.CharField(max_length=500, null=True, index=True)  # a scanned supplier label finds it
    unit_cost = FixedDecimalField(default=0)  # current cost per unit (FIFO: its layers; average: at receipt)
    created_at = pw.DateTimeField(default=utcnow, index=True)


class StockBalance(BaseModel):
    """On-hand quantity of one item (and batch, when tracked) at one location.

    Always equal to the sum of the ledger rows with the same item, batch and location.
    """

    item = pw.ForeignKeyField(Item, on_delete="RESTRICT")
    batch = pw.ForeignKeyField(Batch, null=True, backref="balances", on_delete="RESTRICT")
    location = pw.ForeignKeyField(Location, on_delete="RESTRICT")
    qty = FixedDecimalField(default=0)

    class Meta:
        indexes = ((("item", "location", "batch"), False), (("batch", "location"), False), (("item", "id"), False),
                   (("location", "item", "id"), False))


class CostLayer(BaseModel):
    """A quantity at a cost. FIFO: one per receipt (per batch when tracked); average: one pool per item.

    ``value`` is exact: the value of the stock is the sum of open layers, and the ledger's value
    column changes it by exactly the amounts it records.
    """

    item = pw.ForeignKeyField(Item, on_delete="RESTRICT")
    batch = pw.ForeignKeyField(Batch, null=True, on_delete="RESTRICT")
    is_open = pw.BooleanField(default=True)
    qty_in = FixedDecimalField(default=0)
    qty = FixedDecimalField(default=0)  # remaining; negative when a fact took more than there was
    value = FixedDecimalField(default=0)  # remaining value
    unit_cost = FixedDecimalField(default=0)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("item", "is_open", "id"), False), (("batch", "is_open", "id"), False))
