"""Position ingest: fixes from phones are written in batches, once per tick.

A position frame is checked in the consumer (fieldapp.positions.fix_check)
and handed to this process's PositionIngest, which keeps it in memory. Every
POSITION_TICK_MS the waiting fixes are written in one transaction
(`fixes_write`):

1. the officers' rows are locked (in id order, like every service), so a duty
   change cannot slip between the check and the write;
2. one `UPDATE … FROM (VALUES …)` sets each officer's last fix to the newest
   of the batch, unless the stored one is newer;
3. one bulk INSERT appends every on-duty fix to the position track
   (TrackFix), which the attendance figures also read;
4. after the commit, one `desk.positions` message carries the tick's newest
   fixes to the desk group, where each desk socket still coalesces them into
   at most one `officer.positions` batch a second.

Only then is each phone told: `position.saved` for a fix written, an
`off_duty` error for one refused. A fix the phone was told about is therefore
committed; a crash loses at most the fixes of the tick in progress, and none of
those was acknowledged. If the write fails (the database is away), nothing was
committed, the batch waits for the next tick ahead of newer fixes, and the
phones hear nothing until it is written.
"""
from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Sequence

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection, transaction

from fieldapp import events
from fieldapp.models import Officer, TrackFix
from fieldapp.positions import Fix, FlushPlan, OfficerState, flush_plan

log = logging.getLogger(__name__)

# Rows per UPDATE … FROM (VALUES …) and per bulk INSERT: well inside PostgreSQL's 65,535 and
# SQLite's 32,766 parameters.
WRITE_CHUNK = 2000
# Fixes waiting at most: past this (the database has been away a long while) new ones are refused.
PENDING_MAX = 100_000
BUSY = "busy"
# Seconds between attempts while the database keeps failing, at most.
RETRY_MAX_S = 5.0


# --- the write -----------------------------------------------------------------

def _last_fixes_update(fixes: Sequence[Fix]) -> None:
    """Every officer's last fix in one statement per WRITE_CHUNK officers."""
    table = Officer._meta.db_table
    at_field = Officer._meta.get_field("fix_at")
    postgres = connection.vendor == "postgresql"
    row = "(%s::bigint, %s::float8, %s::float8, %s::float8, %s::timestamptz)" if postgres else "(%s, %s, %s, %s, %s)"
    with connection.cursor() as cursor:
        for start in range(0, len(fixes), WRITE_CHUNK):
            chunk = fixes[start:start + WRITE_CHUNK]
            params: list[object] = []
            for fix in chunk:
                params += [fix.officer_id, fix.lat, fix.lng, fix.accuracy_m, at_field.get_db_prep_save(fix.at, connection)]
            # VALUES columns are called column1…column5 on both PostgreSQL and SQLite (3.33+ has UPDATE … FROM).
            cursor.execute(
                f"UPDATE {table} SET fix_lat = v.column2, fix_lng = v.column3, fix_accuracy_m = v.column4, "
                f"fix_at = v.column5 FROM (VALUES {', '.join([row] * len(chunk))}) AS v WHERE {table}.id = v.column1",
                params,
            )


def _rows_insert(model: type, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A multi-row INSERT per WRITE_CHUNK rows: the ORM's bulk_create spent more time compiling than the database writing."""
    fields = [model._meta.get_field(name) for name in columns]
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    row = f"({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), WRITE_CHUNK):
            chunk = rows[start:start + WRITE_CHUNK]
            params = [field.get_db_prep_save(value, connection) for values in chunk for field, value in zip(fields, values)]
            cursor.execute(
                f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({names}) VALUES {', '.join([row] * len(chunk))}",
                params,
            )


@transaction.atomic
def fixes_write(fixes: Sequence[Fix]) -> FlushPlan:
    """Write a batch of checked fixes in one transaction: three queries for up to WRITE_CHUNK fixes.

    Returns the plan; `plan.refused` maps the index of each fix not written to its reason.
    """
    if not fixes:
        return FlushPlan()
    rows = (
        Officer.objects.select_for_update(no_key=True)
        .filter(pk__in={fix.officer_id for fix in fixes})
        .order_by("pk")
        .values_list("pk", "on_duty", "fix_at")
    )
    plan = flush_plan(fixes, {pk: OfficerState(on_duty=on_duty, fix_at=fix_at) for pk, on_duty, fix_at in rows})
    newest = list(plan.last_fixes.values())
    if newest:
        _last_fixes_update(newest)
    if plan.track:
        _rows_insert(
            TrackFix, ["officer", "lat", "lng", "accuracy_m", "device_at", "at"],
            [(fix.officer_id, fix.lat, fix.lng, fix.accuracy_m, fix.device_at, fix.received_at) for fix in plan.track],
        )
    if newest:
        events.desk_positions_on_commit([events.desk_position(fix) for fix in newest])
    return plan


def _write_on_own_thread(fixes: Sequence[Fix]) -> FlushPlan:
    # The worker thread may not run again for a long while: give its connection back now.
    try:
        return fixes_write(fixes)
    finally:
        connection.close()


# --- the buffer ----------------------------------------------------------------

class PositionIngest:
    """This process's waiting fixes, written every tick by a task that runs while there are any."""

    def __init__(self, tick_s: float) -> None:
        self.tick_s = tick_s
        self.pending: list[tuple[Fix, asyncio.Future[str | None]]] = []
        self.task: asyncio.Task[None] | None = None
        self.failures = 0

    def submit(self, fix: Fix) -> asyncio.Future[str | None]:
        """Queue a fix; the future says how it ended once its tick is committed: None (saved) or a reason code."""
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        if len(self.pending) >= PENDING_MAX:
            future.set_result(BUSY)
            return future
        self.pending.append((fix, future))
        if self.task is None:
            self.task = asyncio.ensure_future(self._run())
        return future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        spent = 0.0
        try:
            while self.pending:
                if self.failures:
                    await asyncio.sleep(min(RETRY_MAX_S, self.tick_s * 2 ** self.failures))
                else:
                    # One tick from the start of the last write, so a slow write does not stretch every tick.
                    await asyncio.sleep(max(0.0, self.tick_s - spent))
                started = loop.time()
                await self.flush()
                spent = loop.time() - started
        finally:
            self.task = None

    async def flush(self) -> None:
        """Write what is waiting now, then settle each fix's future."""
        batch, self.pending = self.pending, []
        if not batch:
            return
        try:
            # On a thread (and a database connection) of its own: the thread that Channels and
            # Django give every other database call does not wait behind a batch, so a dispatch does not either.
            plan = await database_sync_to_async(_write_on_own_thread, thread_sensitive=False)([fix for fix, _future in batch])
        except Exception:  # noqa: BLE001 - any failure rolled the batch back; it is written at a later tick.
            self.failures += 1
            log.exception("position batch of %d fixes not written (attempt %d); kept for the next tick", len(batch), self.failures)
            self.pending = batch + self.pending
            return
        self.failures = 0
        for index, (_fix, future) in enumerate(batch):
            if not future.done():
                future.set_result(plan.refused.get(index))


_ingests: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, PositionIngest] = weakref.WeakKeyDictionary()


def ingest() -> PositionIngest:
    """The running event loop's ingest (one per Daphne process; one per test's loop)."""
    loop = asyncio.get_running_loop()
    found = _ingests.get(loop)
    if found is None:
        found = _ingests[loop] = PositionIngest(settings.POSITION_TICK_MS / 1000)
    return found
