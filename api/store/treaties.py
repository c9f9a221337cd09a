"""A treaty's status as of a date, derived from its milestones: one rule, in SQL.

The latest milestone on or before the date decides (none: PROPOSED). Milestones on the same day
are taken in lifecycle order (signed, in force, extended, suspended, expired, terminated), so a
treaty signed and in force the same day is IN_FORCE. A treaty in force past its `expires_on`
is EXPIRED even without an EXPIRED milestone. Both read paths and the filter use this one
expression (Strawberry's fallback reads it through `Store.treaty_statuses`).
"""

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, case, func, literal_column, select, type_coerce

from api.db import tables
from api.vocabulary import TreatyMilestoneKind, TreatyStatus

MILESTONE_STATUS: dict[TreatyMilestoneKind, TreatyStatus] = {
    TreatyMilestoneKind.SIGNED: TreatyStatus.SIGNED,
    TreatyMilestoneKind.ENTERED_INTO_FORCE: TreatyStatus.IN_FORCE,
    TreatyMilestoneKind.EXTENDED: TreatyStatus.IN_FORCE,
    TreatyMilestoneKind.SUSPENDED: TreatyStatus.SUSPENDED,
    TreatyMilestoneKind.EXPIRED: TreatyStatus.EXPIRED,
    TreatyMilestoneKind.TERMINATED: TreatyStatus.TERMINATED,
}
LIFECYCLE: tuple[TreatyMilestoneKind, ...] = tuple(TreatyMilestoneKind)
STATUS_TYPE = tables.vocabulary(TreatyStatus)


def status_as_of(
    treaty_id: ColumnElement[UUID], expires_on: ColumnElement[date], as_of: ColumnElement[date]
) -> ColumnElement[Any]:
    """The status of the treaty `treaty_id` expiring on `expires_on` as of `as_of`, typed as a
    TreatyStatus column."""
    milestone = tables.treaty_milestones.alias()
    expired = expires_on < as_of

    def name(status: TreatyStatus) -> ColumnElement[str]:
        return literal_column(f"'{status.name}'")

    def mapped(kind: TreatyMilestoneKind) -> ColumnElement[str]:
        status = MILESTONE_STATUS[kind]
        if status is TreatyStatus.IN_FORCE:
            return case((expired, name(TreatyStatus.EXPIRED)), else_=name(status))
        return name(status)

    latest = (
        select(case(*((milestone.c.kind == kind, mapped(kind)) for kind in LIFECYCLE)))
        .where(milestone.c.treaty_id == treaty_id, milestone.c.date <= as_of)
        .order_by(
            milestone.c.date.desc(),
            case(
                *((milestone.c.kind == kind, index) for index, kind in enumerate(LIFECYCLE))
            ).desc(),
        )
        .limit(1)
        .scalar_subquery()
    )
    return type_coerce(func.coalesce(latest, name(TreatyStatus.PROPOSED)), STATUS_TYPE)
