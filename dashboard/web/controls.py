"""The controls pages share: donor and period pickers, the language switch, table downloads.

Each keeps its state in the link (``?donor=``, ``?from=&to=``, ``?lang=``) so a view can be
shared exactly.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pyarrow as pa
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.core import labels, vocabulary
from dashboard.core.escaping import inert
from dashboard.core.formatting import date_text, number, rupiah
from dashboard.core.i18n import LANGUAGES, translator
from dashboard.exports.digest import digest_setting, set_digest
from dashboard.publish.privacy import shown_count
from dashboard.web.shell import built, language, ledger, plain, query
from queries.figures import Period, fiscal_year, fiscal_year_of, in_fiscal_terms


def table(frame: pd.DataFrame | pa.Table, lang: str, **options) -> None:
    """A table as shown: its columns headed in the page's language (``labels.COLUMNS``)."""
    names = frame.column_names if isinstance(frame, pa.Table) else frame.columns
    headings = {name: labels.column(name, lang) for name in names if name in labels.COLUMNS}
    st.dataframe(frame, hide_index=True, column_config=headings, **options)


def arrow(frame: pd.DataFrame) -> pa.Table:
    """A table as shown, converted once for `table`: a page that keeps it (``shell.built``)
    draws it on every run, and converting a DataFrame to Arrow on each was the largest part
    of a donor page run's CPU (issue 15). Like everything kept, it is never changed."""
    return pa.Table.from_pandas(frame, preserve_index=False)


def opened(label: str, key: str) -> DeltaGenerator | None:
    """An expander whose content runs only while it is open: the container to fill when the
    visitor has opened it, otherwise None (``if box := opened(...): with box: ...``).

    Opening or closing it reruns the page (Streamlit's ``on_change="rerun"``), and the page
    run then fills it. A closed expander's tables, charts and download buttons cost nothing:
    on a first visit, when every expander is closed, that was about a fifth of the donor
    page's server work, sent for content nobody had opened (issue 15)."""
    box = st.expander(label, key=key, on_change="rerun")
    return box if box.open else None


# How a published table's codes read on the page; the downloads keep the codes.
_PUBLISHED_NAMES = {
    "province": lambda code, lang: labels.province(code),
    "occupation": labels.occupation,
    "gender": labels.gender,
    "donor_type": labels.donor_type,
    "program": labels.program,
}
_PUBLISHED_COUNTS = ("workers", "claims", "ended_workers", "continued_workers")


def published_table(frame: pd.DataFrame, lang: str, k: int) -> pd.DataFrame:
    """A table of the open data as a reader sees it: names instead of codes, numbers in the
    page's language, a withheld count as "< k" and any other withheld figure as "–"."""
    shown = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        values = frame[name]
        if name in _PUBLISHED_NAMES:
            shown[name] = [_PUBLISHED_NAMES[name](code, lang) for code in values]
        elif name in _PUBLISHED_COUNTS:
            shown[name] = [shown_count(value, k, lang) for value in values]
        elif name == "year":  # a year is a name, not a quantity: 2025, never "2.025"
            shown[name] = [str(int(v)) for v in values]
        elif name.endswith("_idr"):
            shown[name] = ["–" if pd.isna(v) else rupiah(int(v), lang) for v in values]
        elif pd.api.types.is_integer_dtype(values):
            shown[name] = ["–" if pd.isna(v) else number(int(v), lang) for v in values]
        elif name != "suppressed":
            shown[name] = values
    return shown


def in_reading_order(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A published table's rows in the order its reader reads them: by the names shown in
    the page's language ("Aceh", "Bali", ... ; "Nelayan" before "Petani"), years and age
    bands in their own order. Sorted by the codes, the Indonesian page followed English
    words it never shows."""
    age_rank = {band: place for place, band in enumerate(vocabulary.AGE_BAND_ORDER)}

    def shown(column: pd.Series) -> pd.Series:
        if column.name == "age_band":
            return column.map(lambda band: age_rank.get(band, len(age_rank)))
        if column.name in _PUBLISHED_NAMES:
            name = _PUBLISHED_NAMES[column.name]
            return column.map(lambda code: name(code, lang).casefold())
        return column

    dimensions = [name for name in frame.columns if name in (*_PUBLISHED_NAMES, "year", "age_band")]
    if not dimensions:
        return frame
    return frame.sort_values(dimensions, key=shown, kind="stable")


def csv_file(frame: pd.DataFrame) -> bytes:
    """The table as CSV, UTF-8 with BOM so spreadsheet programs read it right; no formulas."""
    return inert(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_file(frame: pd.DataFrame, sheet: str) -> bytes:
    """The table as an XLSX workbook; texts are texts, never formulas."""
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        inert(frame).to_excel(writer, index=False, sheet_name=sheet[:31])
    return out.getvalue()


def downloads(frame: pd.DataFrame, name: str) -> None:
    """CSV and XLSX buttons for a table, with the figures as shown (rupiah as integers).

    The files are written only when a button is clicked, not on every rerun of the page. A
    click must not rerun the page either (``on_click="ignore"``, as on every download button
    of the app): the rerun drops the file's generator and the download silently never comes.
    """
    row = st.container(horizontal=True)
    row.download_button(
        "⬇ CSV",
        lambda: csv_file(frame),
        file_name=f"{name}.csv",
        mime="text/csv",
        on_click="ignore",
        key=f"csv-{name}",
    )
    row.download_button(
        "⬇ XLSX",
        lambda: xlsx_file(frame, name),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        key=f"xlsx-{name}",
    )


def _set_period(start: dt.date | None, end: dt.date | None) -> None:
    st.session_state["from"] = start
    st.session_state["to"] = end


CHOSEN_DONOR = "chosen-donor"  # the picker's choice, kept while the visitor changes pages
LINKED_DONOR = "linked-donor"  # the donor last written into the link (?donor=)


def _remember_donor() -> None:
    st.session_state[CHOSEN_DONOR] = st.session_state["donor"]


def _donor_names(access) -> dict[str, str]:
    """The donors the viewer may pick: id to name, in the order of ``queries.donor.donors``."""
    from queries import donor

    listed = query(donor.donors, access)
    return dict(zip(listed["donor_id"], listed["name"], strict=True))


def donor_picker(access) -> str | None:
    """The donor chosen in the picker (``?donor=ID`` in the link), or None with a message.

    The list is the viewer's donors (every donor in demo mode); an id in the link outside it is
    named in a warning instead of silently showing someone else.
    """
    _ = translator(language())
    names = built("donor-picker", access, (), lambda: _donor_names(access))
    if not names:
        if access.donor_ids is None:
            st.info(_("The ledger holds no donor yet. Import data with `lingkaran import`."))
        else:
            st.info(_("None of your organisations has a donation in the ledger yet."))
        return None
    # The link carries the donor id itself (?donor=CSR-001), so the picker is synced by hand:
    # a bound selectbox would put the displayed "name (id)" text in the URL.
    requested = st.query_params.get("donor")
    if requested is not None and requested not in names:
        # The same words whether the donor does not exist or is not yours: a URL must not
        # tell a visitor which donor ids exist.
        st.warning(
            _("There is no donor with id “{donor}” in the ledger. Pick a donor.").format(
                donor=plain(requested[:64])  # from the URL: shown as text, never as Markdown
            )
        )
        del st.query_params["donor"]
    elif requested is not None and requested != st.session_state.get(LINKED_DONOR):
        st.session_state[CHOSEN_DONOR] = requested  # a link was opened: it chooses
    # Streamlit drops a widget's state when a page without it runs, so the choice is kept
    # under a key of its own and every donor page's picker starts from it.
    remembered = st.session_state.get(CHOSEN_DONOR)
    if remembered in names:
        st.session_state["donor"] = remembered
    chosen = st.selectbox(
        _("Donor"),
        list(names),
        index=None,
        format_func=lambda donor_id: f"{names[donor_id]} ({donor_id})",
        placeholder=_("Pick a donor…"),
        key="donor",
        on_change=_remember_donor,
    )
    st.session_state[LINKED_DONOR] = chosen
    if chosen is not None:
        st.query_params["donor"] = chosen
    elif "donor" in st.query_params:
        del st.query_params["donor"]
    return chosen


def period_picker(fiscal_start: int = 1) -> tuple[Period, dt.date]:
    """Donations received in a period (``?from=...&to=...``), and the date for active workers.

    For a donor whose fiscal year begins in ``fiscal_start`` (not January), the presets are
    its fiscal years, and a period that is one is named so ("fiscal year 2025/26")."""
    _ = translator(language())
    today = dt.date.today()
    presets = st.container(horizontal=True)
    presets.button(_("All time"), on_click=_set_period, args=(None, None))
    if fiscal_start == 1:
        presets.button(
            _("This year"), on_click=_set_period, args=(dt.date(today.year, 1, 1), today)
        )
        presets.button(
            _("Last year"),
            on_click=_set_period,
            args=(dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)),
        )
    else:
        this = fiscal_year(fiscal_year_of(today, fiscal_start), fiscal_start, today)
        last = fiscal_year(this.start.year - 1, fiscal_start)
        presets.button(
            _("This fiscal year ({name})").format(name=this.fiscal_name),
            on_click=_set_period,
            args=(this.start, this.end),
        )
        presets.button(
            _("Fiscal year {name}").format(name=last.fiscal_name),
            on_click=_set_period,
            args=(last.start, last.end),
        )
    left, right = st.columns(2)
    start = left.date_input(
        _("Donations received from"),
        value=None,
        max_value=today,
        key="from",
        bind="query-params",
        format="DD/MM/YYYY",
    )
    end = right.date_input(
        _("to"), value=None, max_value=today, key="to", bind="query-params", format="DD/MM/YYYY"
    )
    if start and end and start > end:
        st.warning(_("The start date is after the end date: the two were swapped."))
        start, end = end, start
    return in_fiscal_terms(Period(start, end), fiscal_start), as_of_picker(end, today)


def as_of_picker(end: dt.date | None, today: dt.date) -> dt.date:
    """The day every figure is as of (docs/contract.md "As of"): for a period that has ended,
    its end (the closed year, as statements and report packs state it) unless the reader
    asks for what the same donations have achieved to date (``?as=today``)."""
    if end is None or end >= today:
        return today
    lang = language()
    _ = translator(lang)
    chosen = st.segmented_control(
        _("Figures as of"),
        ("end", "today"),
        format_func=lambda choice: (
            _("the end of the period ({date})").format(date=date_text(end, lang))
            if choice == "end"
            else _("today: what these donations have achieved to date")
        ),
        default="end",
        key="as",
        bind="query-params",
    )
    return today if chosen == "today" else end


def language_picker() -> str:
    """The page's language (``?lang=en`` in the link), Indonesian by default.

    Synced with the link by hand: a bound widget would put "English" in the URL.
    """
    from dashboard.core.i18n import DEFAULT_LANGUAGE, LANGUAGES

    requested = st.query_params.get("lang")
    if st.session_state.get("lang") is None:  # first run, or the control was cleared
        st.session_state["lang"] = requested if requested in LANGUAGES else DEFAULT_LANGUAGE
    chosen = (
        # The value lives in session state only: a default as well makes Streamlit warn.
        st.segmented_control(
            "Bahasa / Language", list(LANGUAGES), format_func=LANGUAGES.get, key="lang"
        )
        or DEFAULT_LANGUAGE
    )
    if chosen == DEFAULT_LANGUAGE:
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = chosen
    return chosen


def digest_choice(access, lang: str) -> None:
    """A donor user's own choice about the monthly e-mail, in the sidebar: read once per
    session, stored by the widgets' callbacks when the user changes it (never by the page
    run itself), read by `lingkaran digest`."""
    _ = translator(lang)
    engine = ledger()
    if "digest-on" not in st.session_state or "digest-language" not in st.session_state:
        language_saved, receives = digest_setting(engine, access.who)
        st.session_state["digest-language"], st.session_state["digest-on"] = (
            language_saved,
            receives,
        )

    def save() -> None:
        set_digest(
            engine,
            access.who,
            language=st.session_state["digest-language"],
            receives=st.session_state["digest-on"],
        )

    with st.sidebar.expander(_("Monthly digest by e-mail")):
        st.toggle(_("Send me the monthly digest"), key="digest-on", on_change=save)
        st.selectbox(
            _("Its language"),
            list(LANGUAGES),
            format_func=LANGUAGES.get,
            key="digest-language",
            on_change=save,
        )
        st.caption(
            _(
                "Early each month, to {email}: the month's figures of your donors, the change "
                "against the month before and whose protection ends soon."
            ).format(email=plain(access.who))
        )
