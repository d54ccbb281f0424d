"""Installing a points program version on the store."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from pos_app.db.models import Member, ProgramVersion, TierRow
from pos_app.db.store import StoreDB
from pos_app.errors import Conflict
from pos_app.program import Program, load_program_json
from pos_app.services.audit import audit
from pos_app.services.auth import Permission, StaffSession, authorize


def install_program(
    db: StoreDB, *, actor: StaffSession | None, program: Program, now: dt.datetime
) -> None:
    """Store and activate ``program``. ``actor`` may be None only while the store has no
    program yet (initial set-up); afterwards an admin is required."""
    with db.write() as s:
        current = s.scalar(select(ProgramVersion).where(ProgramVersion.active.is_(True)))
        if current is not None:
            authorize(db, actor, Permission.INSTALL_PROGRAM)
        activate_program(s, program, now=now, staff_id=actor.staff_id if actor else None)


def installed_version(s: Session, code: str, version: int) -> Program | None:
    """This program version as the store has it (active or not), read with today's schema
    (so a version stored before a field with a default was added compares equal)."""
    text = s.scalar(
        select(ProgramVersion.definition_json).where(
            ProgramVersion.code == code, ProgramVersion.version == version
        )
    )
    return None if text is None else load_program_json(text)


def activate_program(
    s: Session,
    program: Program,
    *,
    now: dt.datetime,
    staff_id: str | None,
    source: str | None = None,
) -> None:
    """Store ``program`` (if new) and make it the active one, inside the caller's write
    transaction ``s`` (no permission check: the caller has done it, or HQ sent it).
    ``source`` is noted in the audit log (``"hq"`` for a program pulled from HQ)."""
    same = s.scalar(
        select(ProgramVersion).where(
            ProgramVersion.code == program.code, ProgramVersion.version == program.version
        )
    )
    if same is not None and same.digest != program.digest:
        raise Conflict(
            f"version {program.version} of {program.code!r} is already installed with "
            "different rules; raise the version number",
            field="program.version",
        )
    s.execute(update(ProgramVersion).values(active=False))
    if same is None:
        same = ProgramVersion(
            code=program.code,
            version=program.version,
            digest=program.digest,
            definition_json=program.to_json(),
            installed_at=now,
        )
        s.add(same)
    same.active = True
    s.execute(delete(TierRow))
    for rank, tier in enumerate(program.definition.tiers):
        s.add(
            TierRow(
                code=tier.code,
                rank=rank,
                name=tier.name,
                name_en=tier.name_en,
                qualify_spend_fen=tier.qualify_spend,
                upgrade_bonus=tier.upgrade_bonus,
            )
        )
    # members on a tier the new program no longer has start again at its entry tier
    s.execute(
        update(Member)
        .where(Member.tier_code.not_in([t.code for t in program.definition.tiers]))
        .values(tier_code=program.base_tier.code)
    )
    details = {"digest": program.digest}
    if source is not None:
        details["source"] = source
    audit(s, staff_id, "program.install", f"{program.code}@{program.version}", details, now)
    s.flush()
