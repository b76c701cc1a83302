"""Admin console: load contract files through the importer, allocate, check, see the logs."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.accounts.fiscal_year import set_fiscal_year_start
from dashboard.accounts.memberships import audit
from dashboard.core.errors import ImportRefused, LedgerError
from dashboard.core.formatting import month_name
from dashboard.core.i18n import translator
from dashboard.ledger.allocator import allocate
from dashboard.ledger.importer import KIND_HANDLERS, KINDS, import_file
from dashboard.web import controls, shell
from queries import admin, donor
from queries.checks import check_ledger

lang = shell.language()
_ = translator(lang)
access = shell.require_member(admin=True)
engine = shell.ledger()
st.title(_("Admin console"))
st.caption(
    _("Signed in as {who}. Every action here is recorded in the audit log.").format(
        who=_("the demo visitor") if access.who == shell.DEMO_VISITOR else shell.plain(access.who)
    )
)

st.header(_("Import a contract file"), anchor=False)
kind = st.selectbox(
    _("Kind of file"), KINDS, key="kind", format_func=lambda code: KIND_HANDLERS[code].title(lang)
)
upload = st.file_uploader(
    _("Contract file (CSV or XLSX)"),
    type=["csv", "xlsx"],
    key="upload",
    help=_("One file is one transaction: any bad row and nothing of it is written."),
)
if upload is not None and st.button(_("Import"), key="import", type="primary"):
    name = Path(upload.name).name  # never a path from the browser
    with tempfile.TemporaryDirectory(prefix="lingkaran-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(upload.getvalue())
        try:
            result = import_file(engine, kind, path)
        except ImportRefused as refused:
            st.error(
                _("{file}: refused, nothing was written ({rows} bad rows).").format(
                    file=shell.plain(name), rows=refused.bad_rows
                )
            )
            st.table(  # a plain table: at most 50 rows, and readable by screen readers
                pd.DataFrame(
                    [(e.line, e.column, e.value, e.reason) for e in refused.errors],
                    columns=[_("line"), _("column"), _("value"), _("reason")],
                ).set_index(_("line"))
            )
            audit(engine, access.who, "import refused", f"{kind} {name}: {refused.summary()}")
        else:
            st.success(shell.plain(result.summary()))  # names the uploaded file
            audit(engine, access.who, "import", f"{kind} {result.summary()}", result.sha256)
            shell.ledger_written()

st.header(_("Allocate and check"), anchor=False)
left, right = st.columns(2)
if left.button(_("Run the allocator"), key="allocate"):
    try:
        made = allocate(engine)
    except LedgerError as problem:
        st.error(str(problem))
    else:
        message = _("{rows} coverage rows created, {months} worker-months.").format(
            rows=made.coverage_rows, months=made.protected_months
        )
        st.success(message)
        audit(engine, access.who, "allocate", message)
        shell.ledger_written()
if right.button(_("Check the ledger"), key="check"):
    violations = check_ledger(engine)
    if violations:
        st.error(_("{count} violations:").format(count=len(violations)))
        st.dataframe(
            pd.DataFrame(
                [(v.rule, v.detail) for v in violations], columns=[_("rule"), _("detail")]
            ),
            hide_index=True,
        )
    else:
        st.success(_("Ledger OK: every invariant holds."))
    audit(engine, access.who, "check", f"{len(violations)} violation(s)")

st.header(_("Fiscal years"), anchor=False)
st.caption(
    _(
        "The month a donor's fiscal year begins: its period buttons, comparison, statements "
        "and decks then name fiscal years (2025/26). January is the calendar year."
    )
)
listed = shell.query(donor.donors, access)
# A select shows plain text (no Markdown to escape), as the donor picker's does.
names = dict(zip(listed["donor_id"], listed["name"], strict=True))
left, middle, right = st.columns([3, 2, 1], vertical_alignment="bottom")
chosen = left.selectbox(
    _("Donor"), list(names), format_func=lambda code: f"{names[code]} ({code})", key="fiscal-donor"
)
if chosen:
    info = shell.query(donor.donor_info, access, chosen)
    month = middle.selectbox(
        _("Fiscal year begins in"),
        list(range(1, 13)),
        index=info.fiscal_year_start - 1,
        format_func=lambda m: month_name(m, lang),
        key=f"fiscal-month-{chosen}",
    )
    if right.button(_("Save"), key="fiscal-save"):
        set_fiscal_year_start(engine, chosen, month, access.who)
        shell.ledger_written()  # a donor's periods are named anew: a new ledger version
        st.success(
            _("{donor}: the fiscal year begins in {month}.").format(
                donor=chosen, month=month_name(month, lang)
            )
        )

st.header(_("Import log"), anchor=False)
controls.table(admin.import_log(engine), lang)
st.header(_("Audit log"), anchor=False)
actions = admin.audit_log(engine)
if actions.empty:
    st.caption(_("No action has been recorded yet."))
else:
    controls.table(actions, lang)
