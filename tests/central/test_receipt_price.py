"""A receipt without a price (a scan at goods-in) is valued at the running average, else the last price."""
from decimal import Decimal as D

from central import catalog
from central.inventory import Actor, receive
from central.models import Item
from central.stockview import valuation


def test_unpriced_receipts_use_average_then_last_price(db):
    catalog.create_location({"code": "RECEIVING", "name": "Goods in", "role": "receiving"})
    catalog.create_item({"code": "SUGAR", "unit": "kg", "costing": "average", "batch_tracked": False})
    catalog.create_item({"code": "BOX", "unit": "pcs", "costing": "fifo", "batch_tracked": False})
    Item.update(last_cost=D("1.20")).where(Item.code == "SUGAR").execute()
    Item.update(last_cost=D("0.15")).where(Item.code == "BOX").execute()
    person = Actor(user="boss")
    receive(item="SUGAR", qty=D("10"), actor=person, location="RECEIVING")  # empty pool: last price
    receive(item="SUGAR", qty=D("10"), actor=person, location="RECEIVING", unit_cost=D("1.80"))
    receive(item="SUGAR", qty=D("20"), actor=person, location="RECEIVING")  # the average, 1.50
    receive(item="BOX", qty=D("4"), actor=person, location="RECEIVING")
    values = {row["item"]: D(row["value"]) for row in valuation()}
    assert values["SUGAR"] == D("60.00")
    assert values["BOX"] == D("0.60")
