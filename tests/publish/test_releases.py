"""Releases (docs/contract.md "Public releases"): stored once, read back as they were,
moving only forward, each figure within its stated distance of the truth, and downloadable
whole as a valid Data Package."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import frictionless
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from dashboard.core.formatting import date_text, number
from dashboard.ledger.db import open_ledger
from dashboard.ledger.schema import Release
from dashboard.publish import datapackage, open_data, releases
from dashboard.publish.perturbation import STEPS, Perturbation, draw
from queries.public import pooled_gifts
from tests.conftest import TODAY

K = 10


@pytest.fixture
def copy_engine(demo_copy_url):
    open_data._stored.cache_clear()
    engine = open_ledger(demo_copy_url)
    yield engine
    engine.dispose()
    open_data._stored.cache_clear()


def stored(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Release)).scalar_one()


def test_releases_only_move_forward_and_a_refused_one_stores_nothing(copy_engine):
    before = stored(copy_engine)
    assert before == 12  # the demo's last twelve month ends, 2025-11 .. 2026-10
    refusals = {
        "is not after it": dict(as_of=dt.date(2026, 10, 31)),
        "would lie in the future": dict(as_of=TODAY + dt.timedelta(days=1)),
        "k = 5 beside it": dict(as_of=TODAY, k=5),
    }
    for reason, asked in refusals.items():
        with pytest.raises(releases.ReleaseRefused, match=reason) as refused:
            releases.publish(copy_engine, **{"k": K, **asked}, today=TODAY)
        if reason == "is not after it":  # the console and the command line say it in Indonesian
            assert refused.value.render("id") == (
                "rilis hanya bergerak maju: yang terbaru, 2026-10, per 2026-10-31, "
                "dan 2026-10-31 tidak sesudahnya"
            )
    assert stored(copy_engine) == before
    info = releases.publish(copy_engine, TODAY, K, today=TODAY)
    assert (info.id, info.as_of, info.method) == ("2026-11-24", TODAY, "cell-key")
    assert info.changes["previous"] == "2026-10"
    assert stored(copy_engine) == before + 1


def test_a_release_reads_back_exactly_as_it_was_published_whatever_the_ledger_does(
    copy_engine, cli_on, tmp_path
):
    """An import and an allocation change nothing public; the old release's answers stay
    byte for byte what they were; the next release holds the new donation."""
    old = open_data.pack(open_data.publication(copy_engine, release="2026-10"))
    summary = open_data.summary(copy_engine)
    cli_on(copy_engine, tmp_path)
    open_data._stored.cache_clear()
    assert open_data.pack(open_data.publication(copy_engine, release="2026-10")) == old
    assert open_data.summary(copy_engine) == summary
    releases.publish(copy_engine, TODAY, K, today=TODAY)
    after = open_data.summary(copy_engine)["figures"]
    assert after["donated_idr"] == summary["figures"]["donated_idr"] + 201_600 + _donated_since(
        copy_engine
    )


def _donated_since(engine) -> int:
    """Donations received after the old release's day and by TODAY, besides the new one."""
    from queries.figures import ledger_figures

    return (
        ledger_figures(engine, None, TODAY).donated_idr
        - 201_600
        - ledger_figures(engine, None, dt.date(2026, 10, 31)).donated_idr
    )


@pytest.fixture
def cli_on():
    def run(engine, folder) -> None:
        from dashboard.ledger.allocator import allocate
        from dashboard.ledger.importer import import_file
        from tests.conftest import write_csv

        import_file(
            engine,
            "donors",
            write_csv(folder, "d.csv", ["donor_id", "name", "type"], [["NEW", "Baru", "personal"]]),
        )
        import_file(
            engine,
            "donations",
            write_csv(
                folder,
                "g.csv",
                ["donation_id", "donor_id", "received_on", "amount_idr", "months_per_worker"],
                [["NEW-1", "NEW", "2026-11-12", "201600", "12"]],
            ),
        )
        allocate(engine)

    return run


def test_serving_a_release_builds_nothing(copy_engine, monkeypatch):
    def never(*_args, **_kwargs):
        raise AssertionError("built")

    monkeypatch.setattr(open_data, "build", never)
    published = open_data.publication(copy_engine)
    assert published.release.id == "2026-10"
    assert open_data.publication(copy_engine) is published  # unpacked once


def test_every_published_figure_lies_within_its_stated_distance_of_the_truth(demo_engine):
    """Each open-data cell, month, claims cell and continuation group of the latest release
    against the exact build of the same day: never further than the release says, and not
    the exact figure everywhere (the offsets are there)."""
    info = open_data.latest_release(demo_engine)
    published = open_data.publication(demo_engine)
    exact = open_data.build(demo_engine, K, info.as_of)
    limit = {figure: info.steps_at_most * step for figure, step in STEPS.items()}
    moved = 0
    pairs = [
        (published.tables[by], exact.tables[by], list(by), open_data.FIGURES)
        for by in open_data.PLAN
    ]
    pairs.append((published.growth, exact.growth, ["month"], ("protected_workers",)))
    pairs.append((published.claims_by_year, exact.claims_by_year, ["year", "program"], ("claims",)))
    for by in ("stimulus", "donor_type"):
        pairs.append(
            (
                published.continuation[by],
                exact.continuation[by],
                [by],
                ("ended_workers", "continued_workers"),
            )
        )
    for shown, truth, keys, figures in pairs:
        joined = shown.merge(truth, on=keys, suffixes=("", "_true"))
        assert len(joined) == len(truth)  # the same cells
        for figure in figures:
            both = joined[joined[figure].notna() & joined[f"{figure}_true"].notna()]
            distance = (both[figure].astype("int64") - both[f"{figure}_true"].astype("int64")).abs()
            assert (distance <= limit[figure]).all(), (keys, figure, distance.max())
            moved += int((distance > 0).sum())
    assert moved > 100
    # The headline is exact.
    from queries.figures import ledger_figures

    assert (
        published.summary["donated_idr"]
        == ledger_figures(demo_engine, None, info.as_of).donated_idr
    )


@given(st.floats(min_value=0, max_value=1, exclude_max=True), st.integers(0, 8))
def test_an_offset_never_exceeds_its_bound(u, bound):
    assert -bound <= draw(u, bound) <= bound


def test_offsets_are_symmetric_and_mostly_small():
    """The two-sided geometric law cut at B = 5: zero about a third of the time, each step
    further half as likely, the same on both sides."""
    draws = [draw((i + 0.5) / 10_000, 5) for i in range(10_000)]
    share = {d: draws.count(d) / len(draws) for d in range(-5, 6)}
    assert share[0] == pytest.approx(1 / 3, abs=0.01)
    assert share[1] == pytest.approx(share[-1], abs=0.001)
    assert share[1] == pytest.approx(share[0] / 2, abs=0.01)
    assert sum(abs(d) <= 2 for d in draws) / len(draws) > 0.85


def test_the_same_records_keep_their_persistent_offset_and_the_release_part_moves():
    one, other = (Perturbation.for_release(7, day, K) for day in (TODAY, dt.date(2026, 10, 31)))
    assert one.noise("workers", 12345) == one.noise("workers", 12345)  # reproducible
    keys = range(2000)
    same = sum(one.noise("workers", key) == other.noise("workers", key) for key in keys)
    # equal only when both release parts happen to agree: about a fifth of the time
    assert 0.1 * len(keys) < same < 0.35 * len(keys)
    assert Perturbation.exact().noise("workers", 12345) == 0


def test_one_anonymous_gift_is_held_until_three_anonymous_donors_have_given():
    day = dt.date(2026, 1, 5)
    month = (2026 * 12) + 0  # 2026-01 as a month index
    gifts = [
        (day, "personal", 100_000, 1),  # one anonymous person in January
        (day.replace(month=2), "personal", 50_000, 2),  # a second in February
        (day.replace(month=3), "personal", 70_000, 3),  # a third in March: shown then
        (day.replace(month=3), "corporate", 9_000_000, None),  # a named company: at once
        (day.replace(month=4), "personal", 20_000, 4),  # a fourth, alone: held to the end
    ]
    shown = pooled_gifts(gifts, month + 5)
    assert shown == {("personal", month + 2): 220_000, ("corporate", month + 2): 9_000_000}


def test_the_data_package_is_valid_and_holds_what_the_api_publishes(demo_engine, tmp_path):
    blob = datapackage.data_package(demo_engine, "2026-10")
    zipfile.ZipFile(io.BytesIO(blob)).extractall(tmp_path)
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    table = pd.read_csv(tmp_path / "open-data-province-occupation.csv", keep_default_na=False)
    published = open_data.aggregates(demo_engine, ("province", "occupation"), release="2026-10")
    assert len(table) == len(published)
    shown = published[~published["suppressed"]]
    assert [int(v) for v in table[~table["suppressed"].astype(bool)]["workers"]] == [
        int(v) for v in shown["workers"]
    ]


def test_of_two_publishes_at_once_the_one_going_back_in_time_is_refused(
    database_url, demo_engine, monkeypatch
):
    """The console's publish and a cron job's both pass the history check before either has
    built; the one that would store a release older than the other's is refused at the end,
    and nothing of it is stored. (The build is the demo's stored release, read back: what is
    tested is the store, and a real build takes seconds even on a small ledger.)"""
    import threading

    engine = open_ledger(database_url)
    published = open_data.publication(demo_engine, release="2026-10")
    both_checked = threading.Barrier(2, timeout=120)
    october_stored = threading.Event()
    met: set[int] = set()

    def build_together(engine, k, as_of, perturbation):
        if as_of.month not in met:  # a build begun again (the ledger moved) meets no one
            met.add(as_of.month)
            both_checked.wait()  # each publish has read the (empty) history
        if as_of.month == 9:
            october_stored.wait(timeout=120)
        return published

    monkeypatch.setattr(open_data, "build", build_together)
    outcome: dict[int, object] = {}

    def publish(month: int, day: int) -> None:
        try:
            outcome[month] = releases.publish(engine, dt.date(2026, month, day), K, today=TODAY)
        except releases.ReleaseRefused as refused:
            outcome[month] = refused
        finally:
            if month == 10:
                october_stored.set()

    threads = [threading.Thread(target=publish, args=a) for a in ((10, 31), (9, 30))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert outcome[10].id == "2026-10"
    assert isinstance(outcome[9], releases.ReleaseRefused)
    assert "published while this one was being built" in str(outcome[9])
    with engine.connect() as conn:
        assert conn.execute(select(Release.id)).scalars().all() == ["2026-10"]
    engine.dispose()


def test_a_withdrawn_name_is_counted_in_the_next_releases_changes_never_named(copy_engine):
    """A donor withdrawing its consent (show_name) is off the next wall, built from the ledger
    as it then stands; the changes count one name withdrawn and their words never say which.
    A donor renamed is not a withdrawal (control)."""
    import dataclasses

    from sqlalchemy import update

    from dashboard.ledger.schema import Donor
    from queries import public

    latest = open_data.publication(copy_engine)
    named = latest.wall.loc[latest.wall["type"] != "anonymous", "name"].tolist()
    assert len(named) >= 2
    with copy_engine.begin() as conn:
        conn.execute(update(Donor).where(Donor.name == named[0]).values(show_name=False))
        conn.execute(update(Donor).where(Donor.name == named[1]).values(name="Renamed Donor"))
    with copy_engine.connect() as conn:
        wall = public.donors_wall(conn, TODAY)
    assert named[0] not in set(wall["name"]) and named[1] not in set(wall["name"])
    current = dataclasses.replace(latest, wall=wall, release=None)

    changes = releases.describe_changes(latest, current, releases.donor_names(copy_engine))
    assert changes["names_withdrawn"] == 1  # not 2: the renamed donor consented all along
    assert releases.describe_changes(latest, latest)["names_withdrawn"] == 0
    info = dataclasses.replace(latest.release, changes=changes)
    for lang, words in (("en", "One donor withdrew"), ("id", "Satu donatur menarik")):
        said = releases.changes_in_words(info, lang)
        assert words in said and named[0] not in said
        published = releases.published_in_words(info, lang)  # the admin console's sentence
        assert published.endswith(said) and named[0] not in published
    assert releases.published_in_words(info, "id").startswith(
        f"Rilis {info.id} diterbitkan: data sampai {date_text(info.as_of, 'id')}, "
        f"{number(info.cells, 'id')} sel data terbuka."
    )
    assert named[0] not in str(changes)
