"""Stations: the Raspberry Pis at machines and goods-in, each with its own MQTT identity."""
from __future__ import annotations

import peewee as pw

from central.models.base import BaseModel, utcnow
from central.models.reference import WorkCentre

STATION_KINDS = ("production", "goods_in")


class Station(BaseModel):
    """A station; its code is its MQTT user name and the station part of its topics."""

    code = pw.CharField(max_length=64, unique=True)
    site = pw.CharField(max_length=64)
    name = pw.CharField(max_length=128, default="")
    kind = pw.CharField(max_length=16, default="production")
    work_centre = pw.ForeignKeyField(WorkCentre, null=True, backref="stations", on_delete="SET NULL")
    active = pw.BooleanField(default=True)
    last_seen_at = pw.DateTimeField(null=True)
    last_seq = pw.BigIntegerField(default=0)
    status = pw.CharField(max_length=16, null=True)  # online / offline, from its retained status topic and last will
    status_at = pw.DateTimeField(null=True)  # when central last read that status
    queue_depth = pw.IntegerField(null=True)  # events in its outbox not yet acked, as its status last said
    dead_letters = pw.IntegerField(null=True)  # events central rejected that it keeps, as its status last said
    config_version = pw.CharField(max_length=64, null=True)  # digest of the config head it holds
    created_at = pw.DateTimeField(default=utcnow)
