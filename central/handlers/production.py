"""Station events of production: outputs, stage times, pause/resume and completion."""
from __future__ import annotations

from central import production
from central.inventory import Actor
from central.outputs import Output, report_outputs
from central.recorder import handles, handles_set
from edge.contract import Event


def _output(event: Event) -> Output:
    d = event.data
    return Output(d["work_order"], item=d["item"], kind=d["kind"], batch=d["batch"], qty=d["qty"],
                  actor=Actor.from_event(event), unit=d.get("unit"), location=d.get("location"), reason=d.get("reason"))


@handles("output.reported")
def output_reported(event: Event) -> None:
    """The station minted a batch of an output; it enters stock at its provisional cost."""
    report_outputs([_output(event)], answer=False)


@handles_set(output_reported)
def outputs_reported(events: list[Event]) -> None:
    """Many outputs of one batch of events, booked together."""
    report_outputs([_output(e) for e in events], answer=False)


@handles("stage.started", "stage.completed")
def stage_time(event: Event) -> None:
    """Keep when each routing stage started and ended (for costs and the batch record)."""
    production.record_stage(event.data["work_order"], event.data["stage"], started=event.type == "stage.started",
                            actor=Actor.from_event(event))


@handles("work_order.paused", "work_order.resumed")
def paused_or_resumed(event: Event) -> None:
    """Apply the status change when the rules allow it; flag it otherwise."""
    status = "paused" if event.type == "work_order.paused" else "in_progress"
    production.apply_status_fact(event.data["work_order"], status, Actor.from_event(event), event.data.get("reason"))


@handles("work_order.completed")
def completed(event: Event) -> None:
    """Backflush the unscanned inputs, mark the work order done and settle its costs."""
    production.complete(event.data["work_order"], Actor.from_event(event))
