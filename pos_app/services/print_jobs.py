"""The print queue's rows: jobs stored before they are sent, marked when printed.

A job is written before any byte goes to the printer and marked printed only
after the printer took all of it, so a printer that is off, out of paper or
drops the connection mid-job gets the whole job again later and a job that was
printed is never sent twice. A drawer kick carries ``not_after``: once that
moment passes it is dropped, never fired late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pos_app.db.raw import from_db, read_tx, to_db
from pos_app.db.store import StoreDB
from pos_app.errors import InvalidInput

KINDS = ("sale", "return", "gift", "balance", "report", "drawer", "test")
RECEIPT_KINDS = ("sale", "return", "gift")
MAX_JOB_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Job:
    id: int
    printer: str
    kind: str
    ref: str | None
    data: bytes
    created_at: dt.datetime
    not_after: dt.datetime | None
    attempts: int


@dataclass(frozen=True)
class JobRecord:
    id: int
    kind: str
    ref: str | None
    status: str
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    done_at: dt.datetime | None


def enqueue(
    db: StoreDB,
    *,
    printer: str,
    kind: str,
    data: bytes,
    now: dt.datetime,
    ref: str | None = None,
    not_after: dt.datetime | None = None,
) -> int:
    if kind not in KINDS:
        raise InvalidInput(f"unknown print job kind {kind!r}", field="kind")
    if not data or len(data) > MAX_JOB_BYTES:
        raise InvalidInput("a print job holds 1 byte to 4 MB", field="data")
    with db.write_raw() as tx:
        return int(
            tx.value(
                "INSERT INTO print_jobs (printer, kind, ref, data, created_at, not_after, status, "
                "attempts) VALUES (?, ?, ?, ?, ?, ?, 'queued', 0) RETURNING id",
                (
                    printer,
                    kind,
                    ref,
                    data,
                    to_db(now),
                    None if not_after is None else to_db(not_after),
                ),
            )
        )


def next_job(db: StoreDB, printer: str, now: dt.datetime) -> Job | None:
    """The next job to send (drawer kicks first), after dropping the ones that came too late."""
    with db.write_raw() as tx:
        tx.run(
            "UPDATE print_jobs SET status = 'dropped', done_at = ?1, "
            "last_error = COALESCE(last_error, '') || ' [too late: dropped]' "
            "WHERE printer = ?2 AND status = 'queued' AND not_after IS NOT NULL "
            "AND not_after <= ?1",
            (to_db(now), printer),
        )
        row = tx.row(
            "SELECT id, printer, kind, ref, data, created_at, not_after, attempts FROM print_jobs "
            "WHERE printer = ? AND status = 'queued' ORDER BY kind != 'drawer', id LIMIT 1",
            (printer,),
        )
    if row is None:
        return None
    created, not_after = from_db(row[5]), from_db(row[6])
    assert created is not None
    return Job(row[0], row[1], row[2], row[3], bytes(row[4]), created, not_after, row[7])


def mark_printed(db: StoreDB, job_id: int, now: dt.datetime) -> None:
    with db.write_raw() as tx:
        tx.run(
            "UPDATE print_jobs SET status = 'printed', done_at = ?, attempts = attempts + 1 "
            "WHERE id = ? AND status = 'queued'",
            (to_db(now), job_id),
        )


def mark_failed(db: StoreDB, job_id: int, error: str) -> None:
    """An attempt that did not get the whole job to the printer: it stays queued."""
    with db.write_raw() as tx:
        tx.run(
            "UPDATE print_jobs SET attempts = attempts + 1, last_error = ? WHERE id = ?",
            (error[:500], job_id),
        )


def drop(db: StoreDB, job_id: int, now: dt.datetime, reason: str) -> None:
    with db.write_raw() as tx:
        tx.run(
            "UPDATE print_jobs SET status = 'dropped', done_at = ?, last_error = ? "
            "WHERE id = ? AND status = 'queued'",
            (to_db(now), reason[:500], job_id),
        )


def pending_count(db: StoreDB, printer: str) -> int:
    with read_tx(db.engine) as tx:
        return int(
            tx.value(
                "SELECT COUNT(*) FROM print_jobs WHERE printer = ? AND status = 'queued'",
                (printer,),
            )
        )


def last_receipt_ref(db: StoreDB, printer: str) -> str | None:
    """The number of the last sale, return or gift receipt queued on this printer."""
    with read_tx(db.engine) as tx:
        return tx.value(
            "SELECT ref FROM print_jobs WHERE printer = ? AND kind IN ('sale', 'return', 'gift') "
            "AND ref IS NOT NULL ORDER BY id DESC LIMIT 1",
            (printer,),
        )


def jobs(db: StoreDB, printer: str, *, limit: int = 50) -> list[JobRecord]:
    """The latest jobs, newest first (what the printer screen lists)."""
    with read_tx(db.engine) as tx:
        rows = tx.rows(
            "SELECT id, kind, ref, status, attempts, last_error, created_at, done_at "
            "FROM print_jobs WHERE printer = ? ORDER BY id DESC LIMIT ?",
            (printer, limit),
        )
    out = []
    for job_id, kind, ref, status, attempts, error, created, done in rows:
        created_at = from_db(created)
        assert created_at is not None
        out.append(JobRecord(job_id, kind, ref, status, attempts, error, created_at, from_db(done)))
    return out
