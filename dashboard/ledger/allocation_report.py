"""What `lingkaran allocate` and the admin console say about an allocation, in the reader's
language: what it wrote, each donation left unspent and why, and (before it writes) the
donations whose blocks would start in months already past."""

from __future__ import annotations

from dashboard.core.formatting import date_text, number, rupiah
from dashboard.core.i18n import translator
from dashboard.core.months import month_label
from dashboard.ledger.allocator import (
    LESS_THAN_A_BLOCK,
    AllocationResult,
    LateStart,
    UnspentDonation,
)

LISTED = 20  # donations listed one by one unless every one is asked for


def late_start_lines(late: list[LateStart], lang: str, *, console: bool = False) -> list[str]:
    """The warning printed before an allocation writes, or nothing when no block is late.
    ``console``: for the admin console, which asks before it allocates: dates as the page's
    language writes them, and the console's way to import coverage instead of a command."""
    if not late:
        return []
    _ = translator(lang)
    advice = (
        _(
            "If that coverage was really bought in those months, import it first as a "
            "coverage file (Import a contract file, above): allocation only appends, and what "
            "it writes stays."
        )
        if console
        else _(
            "If that coverage was really bought in those months, record it first with "
            "`lingkaran import coverage FILE`: allocation only appends, and what it writes "
            "stays. `lingkaran allocate --dry-run` shows an allocation without writing it."
        )
    )
    return [
        _(
            "Blocks of {count} donation(s) would start in months already past "
            "(a block starts in the month after the donation was received):"
        ).format(count=number(len(late), lang)),
        *(
            "  "
            + _(
                "{donation}: received {received}, blocks from {month} ({months} month(s) ago)"
            ).format(
                donation=item.donation_id,
                received=date_text(item.received_on, lang) if console else item.received_on,
                month=month_label(item.start_month),
                months=number(item.months_ago, lang),
            )
            for item in late
        ),
        advice,
    ]


def most_actionable_first(unspent: list[UnspentDonation]) -> list[UnspentDonation]:
    """Donations that workers could still be found for (an earmark, everyone covered) before
    those too small to buy any block, which stay so; each group in allocation order."""
    return sorted(unspent, key=lambda item: item.reason.text == LESS_THAN_A_BLOCK)


def unspent_line(item: UnspentDonation, lang: str) -> str:
    _ = translator(lang)
    return _("{donation}: {amount} left: {reason}").format(
        donation=item.donation_id,
        amount=rupiah(item.left_idr, lang),
        reason=item.reason.render(lang),
    )


def allocation_lines(result: AllocationResult, lang: str, *, every_donation: bool) -> list[str]:
    """The donations allocated (the first 20 unless ``every_donation``), the totals, then
    each donation left unspent with the reason."""
    _ = translator(lang)
    lines = []
    if every_donation or len(result.donations) <= LISTED:
        for d in result.donations:
            lines.append(
                "  "
                + _(
                    "{donation}: {workers} worker(s) x {months} month(s) from {month}, {amount}"
                ).format(
                    donation=d.donation_id,
                    workers=number(d.workers, lang),
                    months=d.months,
                    month=month_label(d.start_month),
                    amount=rupiah(d.amount_idr, lang),
                )
            )
    totals = {
        "rows": number(result.coverage_rows, lang),
        "donations": number(len(result.donations), lang),
        "amount": rupiah(result.amount_idr, lang),
        "months": number(result.protected_months, lang),
    }
    if result.written:
        lines.append(
            _(
                "Created {rows} coverage row(s) for {donations} donation(s): {amount} "
                "allocated, {months} worker-month(s)."
            ).format(**totals)
        )
    else:
        lines.append(
            _(
                "Would create {rows} coverage row(s) for {donations} donation(s): {amount}, "
                "{months} worker-month(s). Nothing was written (--dry-run)."
            ).format(**totals)
        )
    if result.unspent:
        lines.append(
            _("{count} donation(s) left money unspent:").format(
                count=number(len(result.unspent), lang)
            )
        )
        unspent = most_actionable_first(result.unspent)
        shown = unspent if every_donation else unspent[:LISTED]
        lines.extend(f"  {unspent_line(item, lang)}" for item in shown)
        if len(shown) < len(result.unspent):
            lines.append(
                "  "
                + _("... and {count} more (--verbose lists every one)").format(
                    count=number(len(result.unspent) - len(shown), lang)
                )
            )
    return lines
