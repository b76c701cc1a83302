"""The public pages as anyone sees them, and a scan of everything public for private data."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from dashboard.core import labels
from dashboard.core.catalogue import FIGURES
from dashboard.core.formatting import number, rupiah
from dashboard.core.i18n import translator
from dashboard.ledger.db import open_ledger
from dashboard.ledger.schema import Donor, Worker
from dashboard.publish import open_data
from queries import public
from tests.pages.conftest import metrics, open_expanders

PUBLIC_PAGES = ("overview", "donors_wall", "methodology", "open_data", "releases")


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_every_public_page_renders_on_the_demo(open_page, demo_url, page):
    at = open_page(demo_url, page)
    assert at.title[0].value


# What each public page says on a ledger that exists and holds nothing yet.
NO_RELEASE = "Belum ada rilis publik yang diterbitkan"
EMPTY_LEDGER_SAYS = {
    "overview": NO_RELEASE,
    "donors_wall": NO_RELEASE,
    "methodology": "Impor terakhir: **belum pernah**",
    "open_data": NO_RELEASE,
    "releases": NO_RELEASE,
}


def empty_ledger(tmp_path) -> str:
    """A ledger created (schema and the first rate) with nothing imported: not a missing
    file, which the pages report as a ledger that cannot be opened."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_ledger(url).dispose()
    return url


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_every_public_page_renders_on_an_empty_ledger(open_page, tmp_path, page):
    at = open_page(empty_ledger(tmp_path), page)
    assert at.title[0].value
    assert not at.error, [e.value for e in at.error]
    assert EMPTY_LEDGER_SAYS[page] in _page_text(at)
    assert not at.metric or all(m.value in ("0", "Rp 0", "–") for m in at.metric)


def test_the_overview_states_the_ilo_context(open_page, demo_url):
    at = open_page(demo_url, "overview")
    assert "27%" in at.info[0].value and "ILO" in at.info[0].value
    assert "Donasi" in metrics(at)
    assert len(at.get("plotly_chart")) == 7
    # The ranked list of provinces runs only once its expander is opened (controls.opened).
    assert [c.key for c in open_expanders(at, "province-list").get("plotly_chart")].count(
        "provinces"
    ) == 1


def test_the_province_map_shows_exactly_what_the_open_data_publishes(open_page, demo_url):
    at = open_page(demo_url, "overview")
    chart = next(c for c in at.get("plotly_chart") if c.key == "province-map")
    tiles = {}
    for trace in json.loads(chart.proto.spec)["data"]:
        for row in trace["customdata"]:
            for text in row:
                if text:
                    name, _colon, value = text.partition(": ")
                    tiles[name] = value
    assert len(tiles) == 38
    k = 10
    published = open_data.covered_by(open_ledger(demo_url), "province", k)
    for row in published.to_dict("records"):
        name = labels.province(row["province"])
        if row["suppressed"]:
            assert tiles.pop(name) == f"< {k}"
        else:
            assert tiles.pop(name).startswith(f"{number(int(row['workers']))} pekerja")
    assert set(tiles.values()) <= {"tidak ada pekerja"}  # provinces with no published row


def test_the_methodology_shows_the_rates_in_force_and_the_threshold(
    open_page, demo_url, monkeypatch
):
    monkeypatch.setenv("LINGKARAN_SUPPRESSION_K", "12")
    at = open_page(demo_url, "methodology")
    assert "Rp 16.800" in at.dataframe[0].value.to_csv()
    assert any("kurang dari **12** pekerja" in block.value for block in at.markdown)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_methodology_defines_every_figure_of_the_catalogue(open_page, demo_url, lang):
    at = open_page(demo_url, "methodology", lang=lang)
    _ = translator(lang)
    shown = "\n".join(block.value for block in at.markdown)
    for figure in FIGURES:
        assert f"- **{_(figure.label)}**: {_(figure.definition)}" in shown, figure.key


def _private_tokens(url: str) -> tuple[set[str], set[str]]:
    engine = open_ledger(url)
    with engine.connect() as conn:
        workers = set(conn.execute(select(Worker.worker_id)).scalars())
        hidden = set(conn.execute(select(Donor.name).where(Donor.show_name.is_(False))).scalars())
    engine.dispose()
    return workers, hidden


def _page_text(at) -> str:
    parts = [
        element.value
        for kind in ("markdown", "caption", "info", "title", "header", "subheader", "text")
        for element in getattr(at, kind)
    ]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    parts += [chart.proto.spec for chart in at.get("plotly_chart")]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(str(part) for part in parts)


def test_nothing_public_names_a_worker_or_a_donor_without_consent(open_page, demo_url):
    workers, hidden_names = _private_tokens(demo_url)
    assert workers and hidden_names  # the demo has both, so the scan can fail
    engine = open_ledger(demo_url)
    published = [json.dumps(open_data.summary(engine)), json.dumps(open_data.json_schema())]
    for by in open_data.PLAN:
        frame = open_data.aggregates(engine, by)
        published += [frame.to_csv(index=False), json.dumps(open_data.records(frame))]
    published.append(public.donors_wall(engine).to_csv(index=False))
    engine.dispose()
    for page in PUBLIC_PAGES:
        published.append(_page_text(open_page(demo_url, page)))
    text = "\n".join(published)

    assert not set(re.findall(r"W\d{8}", text)) & workers
    assert not [name for name in hidden_names if name in text]
    assert "Donatur anonim (" in text  # the anonymous pool is there instead


def test_the_donors_wall_shows_every_row_and_a_total_that_adds_up(open_page, demo_url):
    """A grid of fixed height hid half of the wall and its pooled anonymous row; there was
    no total. Every row is there, and the total row's rupiah are the column's sum, which is
    what the programme was given."""
    engine = open_ledger(demo_url)
    try:
        release, programme = open_data.release_figures(engine)
        wall = open_data.donors_wall(engine, release=release.id)
    finally:
        engine.dispose()
    at = open_page(demo_url, "donors_wall")
    (table,) = [t.value for t in at.dataframe]
    assert len(table) == len(wall) + 1
    assert table["Donatur"].iloc[-2] == f"Donatur anonim ({wall['donors'].iloc[-1]})"
    total = table.iloc[-1]
    assert total["Donatur"] == f"Jumlah ({number(int(wall['donors'].sum()))} donatur)"
    assert total["Donasi"] == rupiah(int(wall["donated_idr"].sum()))
    assert int(wall["donated_idr"].sum()) == programme.donated_idr
    # Its workers are the programme's different workers, and the page says why the column
    # does not add up to them.
    assert total["Pekerja terlindungi"] == number(programme.covered_workers)
    said = " ".join(c.value for c in at.caption)
    withheld = int(wall["workers"].isna().sum())
    assert (
        withheld
        and f"baris yang jumlah pekerjanya disembunyikan (di bawah 10): {withheld}." in said
    )


def test_open_data_in_indonesian_names_dimensions_sorts_by_name_and_says_it_all(
    open_page, demo_url
):
    at = open_page(demo_url, "open_data")
    chips = at.multiselect(key="by")
    assert [chips.format_func(o) for o in chips.value] == ["Provinsi", "Pekerjaan"]
    assert "Jenis donatur" in [chips.format_func(o) for o in open_data.DIMENSIONS]
    # Rows in the order of the names shown (Indonesian), not of the English codes.
    shown = at.dataframe[0].value
    rows = [
        (p.casefold(), o.casefold())
        for p, o in zip(shown["province"], shown["occupation"], strict=True)
    ]
    assert rows == sorted(rows)
    # Sorted by code, the order differed (DKI Jakarta is ID-JK, after Jawa Barat, ID-JB).
    provinces = list(dict.fromkeys(p for p, _o in rows))
    code = {labels.province(c).casefold(): c for c in labels.PROVINCE_TILES}
    assert sorted(provinces, key=code.__getitem__) != provinces
    claims = next(c.value for c in at.caption if c.value.startswith("Klaim JKK"))
    assert claims.startswith("Klaim JKK (kecelakaan kerja) dan JKM (kematian) yang dibayar")
    # The dictionary is a list that wraps, with every meaning whole.
    dictionary = next(m.value for m in at.markdown if "`suppressed`" in m.value)
    from dashboard.web.shell import plain

    whole = translator("id")(open_data.DATA_DICTIONARY["suppressed"])
    assert f"- `suppressed`: {plain(whole)}" in dictionary.split("\n")


def test_the_continuation_by_type_says_where_the_eye_is_why_types_run_below(open_page, demo_url):
    """Every type's rate sat below the programme's, the reason in small grey print under the
    table; the reason and the programme's rate now head the table, in bold."""
    from fractions import Fraction

    from dashboard.core.formatting import percent

    engine = open_ledger(demo_url)
    try:
        release, programme = open_data.release_figures(engine)
        by_type = open_data.continuation(engine, "donor_type", release.suppression_k, release.id)
    finally:
        engine.dispose()
    shown = by_type[~by_type["suppressed"]]
    rates = [
        Fraction(int(c), int(e))
        for c, e in zip(shown["continued_workers"], shown["ended_workers"], strict=True)
    ]
    rate = Fraction(programme.continued_workers, programme.ended_workers)
    at = open_page(demo_url, "overview")
    texts = [m.value for m in at.markdown]
    heading = texts.index("**Menurut jenis donatur**")
    takeaway = texts[heading + 1]
    assert takeaway.startswith("**") and percent(rate, "id") in takeaway
    below = all(r < rate for r in rates)
    assert ("Tingkat setiap jenis donatur berada di bawah" in takeaway) == below
    assert "dilanjutkan donatur lain dihitung berakhir" in takeaway
    # JKK and JKM are glossed where the page first names them.
    assert "(JKK kecelakaan kerja dan JKM kematian)" in at.caption[0].value


@pytest.mark.parametrize(("lang", "other"), [("id", "en"), ("en", "id")])
def test_the_releases_page_links_the_atom_feed_in_its_language(open_page, demo_url, lang, other):
    at = open_page(demo_url, "releases", lang=lang)
    texts = " ".join(block.value for block in at.markdown)
    assert f"(/api/v1/releases.atom?lang={lang})" in texts
    assert f"releases.atom?lang={other}" not in texts  # the control: the other language's
