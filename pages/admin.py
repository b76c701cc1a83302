"""Admin console: load contract files through the importer, allocate, check, see the logs.
Every write is a job or a callback of dashboard/web/console.py, never this script's own."""

import streamlit as st

from dashboard.core.formatting import date_text, month_name, number
from dashboard.core.i18n import translator
from dashboard.ledger.importer import KIND_HANDLERS, KINDS
from dashboard.publish import open_data
from dashboard.publish.releases import previous_month_end
from dashboard.web import console, controls, corrections, shell
from queries import admin, donor

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
if upload is not None:
    st.button(
        _("Import"),
        key="import",
        type="primary",
        on_click=console.start_import,
        args=(engine, access.who, kind, upload.name, upload.getvalue()),
    )
console.job_panel(("import",), access.who, lang)

st.header(_("Allocate and check"), anchor=False)
left, right = st.columns(2)
left.button(
    _("Run the allocator"),
    key="allocate",
    on_click=console.ask_allocation,
    args=(engine, access.who),
)
right.button(
    _("Check the ledger"),
    key="check",
    on_click=console.start_check,
    args=(engine, access.who),
)
console.late_start_question(engine, access.who, lang)
console.job_panel(("allocate", "check"), access.who, lang)

st.header(_("Public release"), anchor=False)
latest = shell.query(open_data.latest_release)
st.caption(
    _(
        "The public pages and the API show releases only. Publishing one builds the public "
        "figures as of the end of last month ({date}) and stores them for good."
    ).format(date=date_text(previous_month_end(), lang, "long"))
    + " "
    + (shell.release_line(latest) if latest else _("No public release has been published yet."))
)
st.button(
    _("Publish the release"),
    key="release",
    on_click=console.start_release,
    args=(engine, access.who),
)
console.job_panel(("release",), access.who, lang)

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
    middle.selectbox(
        _("Fiscal year begins in"),
        list(range(1, 13)),
        index=info.fiscal_year_start - 1,
        format_func=lambda m: month_name(m, lang),
        key=f"fiscal-month-{chosen}",
    )
    right.button(
        _("Save"),
        key="fiscal-save",
        on_click=console.save_fiscal_year,
        args=(engine, access.who, chosen, f"fiscal-month-{chosen}", lang),
    )
if saved := st.session_state.pop("fiscal-saved", None):
    st.success(saved)

st.header(_("Reports of a problem"), anchor=False)
st.caption(
    _(
        "What visitors reported from the public pages, newest first. A decision is added to a "
        "report's history, never replaces it; rejected and fixed reports leave this list."
    )
)
corrections.triage(engine, access.who, lang)

st.header(_("Import log"), anchor=False)
log = admin.import_log(engine)
# As the kind picker above names them, and counts as the page's language writes numbers.
log["kind"] = log["kind"].map(lambda code: KIND_HANDLERS[code].title(lang))
for counted in ("new", "updated", "unchanged"):
    log[counted] = log[counted].map(lambda count: number(count, lang))
controls.table(log, lang)
st.header(_("Audit log"), anchor=False)
actions = admin.audit_log(engine)
if actions.empty:
    st.caption(_("No action has been recorded yet."))
else:
    controls.table(actions, lang)
