"""Publishing a release: the public surface as of one day, built, checked against every
earlier release, and stored once (docs/contract.md "Public releases").

``lingkaran release``, the admin console and the demo call ``publish``. The pages and the API
only ever read what it stored (``dashboard/publish/open_data.py``), so a visitor never waits
for a build and a process start serves the latest release at once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Collection

import pandas as pd
from sqlalchemy import Engine, func, insert, select

from dashboard.core.errors import LedgerError, message
from dashboard.core.escaping import visible
from dashboard.core.formatting import date_text, number
from dashboard.core.i18n import translator
from dashboard.core.labels import N_
from dashboard.ledger.schema import Donor, Release, ReleaseSecret
from dashboard.publish import open_data
from dashboard.publish.perturbation import Perturbation
from dashboard.publish.privacy import suppression_k
from queries import public
from queries.figures import reading


class ReleaseRefused(LedgerError):
    """A release that may not be published (a date not after the latest, in the future, or a
    protection different from the earlier releases'): nothing is stored. The reason reads
    in the reader's language (the console's, the command line's): raised with a Message."""


def previous_month_end(today: dt.date | None = None) -> dt.date:
    """The default cut-off of a release: the last day of the month before ``today``."""
    today = today or dt.date.today()
    return today.replace(day=1) - dt.timedelta(days=1)


def release_id(as_of: dt.date) -> str:
    """``2026-11`` for a release as of a month's last day, ``2026-11-15`` otherwise."""
    last = calendar.monthrange(as_of.year, as_of.month)[1]
    return as_of.strftime("%Y-%m") if as_of.day == last else as_of.isoformat()


def ledger_salt(engine: Engine) -> int:
    """The ledger's secret behind the perturbation's record keys (drawn by its migration)."""
    with reading(engine) as conn:
        salt = conn.execute(select(ReleaseSecret.salt).where(ReleaseSecret.id == 1))
        return int(salt.scalar_one())


def publish(
    engine: Engine,
    as_of: dt.date | None = None,
    k: int | None = None,
    protect: bool = True,
    today: dt.date | None = None,
) -> open_data.ReleaseInfo:
    """Build the release as of ``as_of`` (the end of last month by default), check it with
    every earlier release, store it and return what it says of itself. ``protect=False``
    publishes exact figures: only the attack test's control does, on a ledger of its own."""
    today = today or dt.date.today()
    as_of = as_of or previous_month_end(today)
    k = suppression_k() if k is None else k
    if as_of > today:
        raise ReleaseRefused(
            message(
                N_("a release as of {as_of} would lie in the future (today is {today})"),
                as_of=as_of.isoformat(),
                today=today.isoformat(),
            )
        )
    history = open_data.releases(engine)
    perturbation = (
        Perturbation.for_release(ledger_salt(engine), as_of, k) if protect else Perturbation.exact()
    )
    _check_history(history, as_of, k, perturbation)
    # Built from one version of the ledger: a write landing during the build is not mixed in.
    version, built = public.at_latest_version(
        engine,
        lambda version: public.at_version(
            engine, version, lambda: (version, open_data.build(engine, k, as_of, perturbation))
        ),
    )
    previous = open_data.publication(engine, release=history[0].id) if history else None
    changes = describe_changes(previous, built, donor_names(engine))
    changes["steps_at_most"] = perturbation.describe()["steps_at_most"]
    changes["steps"] = perturbation.describe()["steps"]
    cells, _withheld = built.cells()
    identifier = release_id(as_of)
    with engine.begin() as conn:
        # One release stored at a time: two publishes (the console's and a cron job's, say)
        # may both have passed the check above before either had built. PostgreSQL: the
        # secret's row is locked until this commits. SQLite: the insert below makes this the
        # one writer, and the check after it sees every release stored before.
        conn.execute(select(ReleaseSecret.id).where(ReleaseSecret.id == 1).with_for_update())
        conn.execute(
            insert(Release).values(
                id=identifier,
                as_of=as_of,
                published_at=dt.datetime.now(dt.UTC),
                ledger_version=json.dumps([_plain(v) for v in version], default=str),
                method=perturbation.method,
                suppression_k=k,
                cells=cells,
                cells_changed=changes["cells_changed"],
                changes=json.dumps(changes, ensure_ascii=False),
                payload=open_data.pack(built),
            )
        )
        later = conn.execute(
            select(func.max(Release.as_of)).where(Release.id != identifier)
        ).scalar()
        if later is not None and later >= as_of:  # raised inside: nothing is stored
            raise ReleaseRefused(
                message(
                    N_(
                        "a release as of {later} was published while this one was being "
                        "built; releases only move forward, and {as_of} is not after it"
                    ),
                    later=str(later),
                    as_of=as_of.isoformat(),
                )
            )
    return open_data.latest_release(engine)


def _plain(value):
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _check_history(
    history: list[open_data.ReleaseInfo], as_of: dt.date, k: int, perturbation: Perturbation
) -> None:
    """Releases move forward in as-of date, and every release of a ledger is protected the
    same way: exact figures beside perturbed ones, or a different k, would let the two be
    compared to learn the offsets."""
    if not history:
        return
    latest = history[0]
    if as_of <= latest.as_of:
        raise ReleaseRefused(
            message(
                N_(
                    "releases only move forward: the latest, {release}, is as of {latest}, "
                    "and {as_of} is not after it"
                ),
                release=latest.id,
                latest=str(latest.as_of),
                as_of=as_of.isoformat(),
            )
        )
    for earlier in history:
        if earlier.method != perturbation.method or earlier.suppression_k != k:
            raise ReleaseRefused(
                message(
                    N_(
                        "release {release} was published with {method} figures and k = {k}; "
                        "a release with {new_method} figures and k = {new_k} beside it would "
                        "let the two be compared"
                    ),
                    release=earlier.id,
                    method=earlier.method,
                    k=earlier.suppression_k,
                    new_method=perturbation.method,
                    new_k=k,
                )
            )


def donor_names(engine: Engine) -> set[str]:
    """Every donor's name as a wall would show it, named or not: who still exists."""
    with reading(engine) as conn:
        return {visible(name) for name in conn.execute(select(Donor.name)).scalars()}


def describe_changes(
    previous: open_data.Published | None,
    current: open_data.Published,
    existing_names: Collection[str] | None = None,
) -> dict:
    """What changed from ``previous`` to ``current``, in numbers: open-data cells whose
    published figures changed, cells that switched between withheld and published, cells
    that appeared, the headline's change, and how many names were withdrawn."""
    changed = switched = appeared = 0
    for by, frame in current.tables.items():
        before = previous.tables.get(by) if previous is not None else None
        keyed = _keyed(frame, by)
        earlier = _keyed(before, by) if before is not None else {}
        for key, row in keyed.items():
            if key not in earlier:
                appeared += 1
                continue
            old = earlier[key]
            if old["suppressed"] != row["suppressed"]:
                switched += 1
            elif any(_differs(old[f], row[f]) for f in open_data.FIGURES):
                changed += 1
    headline = {}
    for figure in ("covered_workers", "protected_months", "allocated_idr", "claims_paid_count"):
        now = current.summary.get(figure)
        then = previous.summary.get(figure) if previous is not None else None
        headline[figure] = None if now is None or then is None else int(now) - int(then)
    return {
        "cells_changed": changed + switched + appeared,
        "changed": changed,
        "switched": switched,
        "appeared": appeared,
        "headline": headline,
        "names_withdrawn": names_withdrawn(previous, current, existing_names),
        "previous": previous.release.id if previous is not None and previous.release else None,
    }


def names_withdrawn(
    previous: open_data.Published | None,
    current: open_data.Published,
    existing_names: Collection[str] | None = None,
) -> int:
    """How many donors the previous release's wall named and this one does not, while they
    still exist (in ``existing_names``; None: every name): consent withdrawn. Only the count
    is kept, so the release's own words never say which (issue 29; a renamed or removed
    donor is not a withdrawal)."""
    if previous is None:
        return 0
    before, now = _named(previous.wall), _named(current.wall)
    gone = before - now
    if existing_names is not None:
        gone &= set(existing_names)
    return len(gone)


def _named(wall: pd.DataFrame) -> set[str]:
    if wall.empty:
        return set()
    return set(wall.loc[wall["type"] != "anonymous", "name"].dropna())


def _keyed(frame: pd.DataFrame, by: tuple[str, ...]) -> dict:
    return {tuple(str(row[d]) for d in by): row for row in frame.to_dict("records")}


def _differs(a, b) -> bool:
    if pd.isna(a) or pd.isna(b):
        return pd.isna(a) != pd.isna(b)
    return int(a) != int(b)


def monthly_releases(
    engine: Engine, months: int = 12, today: dt.date | None = None
) -> list[open_data.ReleaseInfo]:
    """A release at the end of each of the last ``months`` months (the demo's history)."""
    end = previous_month_end(today)
    cut_offs = [end]
    for _ in range(months - 1):
        cut_offs.append(previous_month_end(cut_offs[-1]))
    return [publish(engine, as_of, today=today) for as_of in reversed(cut_offs)]


def describe_release(info: open_data.ReleaseInfo) -> str:
    """What `lingkaran release` prints: the id, the cut-off and what changed."""
    changes = info.changes
    lines = [
        f"Published release {info.id}: data to {info.as_of.isoformat()}, "
        f"{info.cells} open-data cells ({info.method}, k = {info.suppression_k}).",
    ]
    if changes.get("previous"):
        lines.append(
            f"Since release {changes['previous']}: {changes['changed']} cell(s) changed, "
            f"{changes['switched']} switched between withheld and published, "
            f"{changes['appeared']} new."
        )
        if changes.get("names_withdrawn"):
            lines.append(
                f"  {changes['names_withdrawn']} donor name(s) withdrawn (consent; not which)."
            )
        for figure, delta in changes["headline"].items():
            if delta is not None:
                lines.append(f"  {figure}: {delta:+,}")
    else:
        lines.append("The first release of this ledger.")
    return "\n".join(lines)


def published_in_words(info: open_data.ReleaseInfo, lang: str) -> str:
    """The admin console's sentence for a release it published, in ``lang``: what
    `lingkaran release` prints (``describe_release``), in the page's words."""
    _ = translator(lang)
    return (
        _("Published release {id}: data to {as_of}, {cells} open-data cells.").format(
            id=info.id, as_of=date_text(info.as_of, lang), cells=number(info.cells, lang)
        )
        + " "
        + changes_in_words(info, lang)
    )


def changes_in_words(info: open_data.ReleaseInfo, lang: str) -> str:
    """What changed since the release before, in ``lang``: the releases page and the Atom
    feed say it in the same words."""
    _ = translator(lang)
    changes = info.changes
    if not changes.get("previous"):
        return _("The first release of this programme.")
    return _(
        "Since release {previous}: {changed} open-data cells changed, {switched} switched "
        "between withheld and published, {appeared} appeared."
    ).format(
        previous=changes["previous"],
        changed=number(changes["changed"], lang),
        switched=number(changes["switched"], lang),
        appeared=number(changes["appeared"], lang),
    ) + _withdrawn_in_words(changes.get("names_withdrawn", 0), lang)


def _withdrawn_in_words(count: int, lang: str) -> str:
    """The sentence for withdrawn names: the count only, never who."""
    _ = translator(lang)
    if not count:
        return ""
    if count == 1:
        return " " + _("One donor withdrew its consent to be named and is no longer named.")
    return " " + _(
        "{count} donors withdrew their consent to be named and are no longer named."
    ).format(count=number(count, lang))


def headline_change(info: open_data.ReleaseInfo, figure: str, lang: str) -> str:
    """``+1.234`` / ``−56``: a headline figure's change since the release before, or ``–``
    for the first release."""
    delta = info.changes.get("headline", {}).get(figure)
    if delta is None:
        return "–"
    return ("+" if delta >= 0 else "−") + number(abs(delta), lang)
