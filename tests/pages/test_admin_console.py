"""The admin console starts its writes as jobs and shows how they ended (AppTest)."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from dashboard.core.formatting import date_text
from dashboard.ledger.db import open_ledger
from dashboard.ledger.schema import AuditEntry, Coverage
from dashboard.web import console, jobs
from tests.ledgers import import_all, worked_example


def shown(elements) -> list[str]:
    """What the messages read on screen (ledger texts reach it escaped for Markdown)."""
    return [element.value.replace("\\", "") for element in elements]


def _finish(at):
    """Wait for the job the click started, then look at the page again."""
    jobs.wait(at.session_state[console.JOB_KEY], 120)
    return at.run()


def _allocate(at):
    """The allocator's button, then "allocate anyway": the worked example's donations are
    of 2024, so their blocks start in months long past and the console asks first."""
    at.button(key="allocate").click().run()
    assert console.JOB_KEY not in at.session_state  # asked, not started
    at.button(key="allocate-anyway").click().run()
    return at


def test_the_allocator_runs_as_a_job_and_the_page_shows_what_it_made(
    open_page, cli, tmp_path, database_url
):
    files = worked_example(tmp_path)
    import_all(cli, {k: files[k] for k in ("donors", "rates", "workers", "donations")})
    at = open_page(database_url, "admin", lang="en")
    at = _finish(_allocate(at))
    # docs/contract.md "Worked example": a block costs 2 × 16,800 + 4 × 20,000 = 113,600;
    # 300,000 buys two of them: A and B, six months each.
    assert shown(at.success) == ["2 coverage rows created, 12 worker-months."]
    engine = open_ledger(database_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Coverage)).scalar_one() == 2
        actions = conn.execute(select(AuditEntry.action)).scalars().all()
    engine.dispose()
    assert actions == ["allocate"]

    at.button(key="check").click().run()
    at = _finish(at)
    assert shown(at.success) == ["Ledger OK: every invariant holds."]


def test_a_job_that_is_refused_says_why(open_page, cli, tmp_path, database_url, monkeypatch):
    files = worked_example(tmp_path)
    import_all(cli, {k: files[k] for k in ("donors", "rates", "workers", "donations")})

    def broken(engine, *, progress):
        raise RuntimeError("an internal detail no admin should read")

    monkeypatch.setattr(console, "allocate", broken)
    at = open_page(database_url, "admin", lang="en")
    at = _finish(_allocate(at))
    assert shown(at.error) == ["The allocator stopped; nothing was written."]
    assert "internal detail" not in str(shown(at.error))


def test_an_admin_publishes_the_release_from_the_console_once(
    open_page, cli, tmp_path, database_url
):
    """The button publishes the release as of the end of last month as a job, audited; a
    second click is refused with the reason, and nothing more is stored."""
    from dashboard.ledger.schema import Release
    from dashboard.publish.releases import previous_month_end, release_id

    files = worked_example(tmp_path)
    import_all(cli, {k: files[k] for k in ("donors", "rates", "workers", "donations")})
    assert cli("allocate").exit_code == 0
    at = open_page(database_url, "admin", lang="en")
    assert "No public release has been published yet." in " ".join(shown(at.caption))
    at.button(key="release").click().run()
    at = _finish(at)
    expected = release_id(previous_month_end())
    as_of = previous_month_end()
    engine = open_ledger(database_url)
    with engine.connect() as conn:
        cells = conn.execute(select(Release.cells)).scalar_one()
    engine.dispose()
    assert shown(at.success) == [
        f"Published release {expected}: data to {date_text(as_of, 'en')}, {cells:,} open-data "
        "cells. The first release of this programme."
    ]
    at.button(key="release").click().run()
    at = _finish(at)
    assert shown(at.error)[0].startswith(f"releases only move forward: the latest, {expected}")
    engine = open_ledger(database_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Release)).scalar_one() == 1
        actions = conn.execute(select(AuditEntry.action)).scalars().all()
    engine.dispose()
    assert actions == ["release"]


def test_the_allocation_result_names_late_blocks_and_each_donation_left_unspent(
    open_page, cli, tmp_path, database_url
):
    """Issue 28: the console's allocation says what it did not do, as the CLI does."""
    from tests.conftest import write_csv
    from tests.ledgers import DONATION_HEADER

    files = worked_example(tmp_path)
    import_all(cli, {k: files[k] for k in ("donors", "rates", "workers", "donations")})
    earmarked = write_csv(
        tmp_path,
        "earmarked.csv",
        [*DONATION_HEADER, "earmark_province"],
        [["Y", "D1", "2024-04-25", "113600", "6", "ID-AC"]],
    )
    assert cli("import", "donations", earmarked).exit_code == 0
    at = open_page(database_url, "admin", lang="id")
    at.button(key="allocate").click().run()
    # Asked before anything is written: what the allocator writes stays.
    assert console.JOB_KEY not in at.session_state
    engine = open_ledger(database_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Coverage)).scalar_one() == 0
    engine.dispose()
    warning = shown(at.warning)[-1]  # after the demo banner
    assert warning.startswith("Blok dari 2 donasi akan dimulai pada bulan yang sudah lewat")
    assert "X: diterima 20 Apr 2024, blok mulai 2024-05" in warning
    assert "Y: diterima 25 Apr 2024, blok mulai 2024-05" in warning
    assert "impor dulu sebagai berkas cakupan (Impor berkas kontrak, di atas)" in warning
    assert "lingkaran" not in warning  # no command line on the console
    at.button(key="allocate-anyway").click().run()
    at = _finish(at)

    assert shown(at.success) == ["2 baris cakupan dibuat, 12 bulan-pekerja."]
    assert not [w for w in shown(at.warning) if w.startswith("Blok dari")]  # answered
    # The audit log keeps one language, whichever the admin reads the console in.
    engine = open_ledger(database_url)
    with engine.connect() as conn:
        logged = conn.execute(select(AuditEntry.detail)).scalars().all()
    engine.dispose()
    assert logged == ["2 coverage rows created, 12 worker-months."]
    unspent = at.table[0].value  # a short list: a table that wraps on a phone
    assert unspent.reset_index().values.tolist() == [
        [
            "Y",
            "Rp 113.600",
            "tidak ada pekerja terdaftar sebelum 2024-05 yang sesuai peruntukannya (ID-AC)",
        ]
    ]


def test_cancelling_the_late_block_question_writes_nothing(open_page, cli, tmp_path, database_url):
    files = worked_example(tmp_path)
    import_all(cli, {k: files[k] for k in ("donors", "rates", "workers", "donations")})
    at = open_page(database_url, "admin", lang="en")
    at.button(key="allocate").click().run()
    assert [w for w in shown(at.warning) if w.startswith("Blocks of 1 donation(s)")]
    at.button(key="allocate-cancel").click().run()
    assert not [w for w in shown(at.warning) if w.startswith("Blocks of")]
    assert not [b for b in at.button if b.key == "allocate-anyway"]
    assert console.JOB_KEY not in at.session_state
    engine = open_ledger(database_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Coverage)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 0
    engine.dispose()


def test_a_refusal_is_listed_in_the_pages_language_even_in_a_tab_opened_after_it(
    open_page, cli, tmp_path, database_url, monkeypatch
):
    """The tab that uploaded the file was closed before the job ended (its session, and the
    job's key with it, are gone): a new tab of the same admin shows the whole refusal."""
    from dashboard.web import shell

    files = worked_example(tmp_path)
    import_all(cli, {k: files[k] for k in ("donors", "rates", "workers")})
    started = []  # the closed tab's session: nothing of it reaches the new one
    monkeypatch.setattr(console, "_started", started.append)
    data = (
        b"donation_id,donor_id,received_on,amount_idr,earmark_province\n"
        b"X1,D1,2024-04-20,300000,ID-JB\n"
        b"X1,D9,31/02/2026,300000,Jawa Barat\n"
    )
    engine = open_ledger(database_url)
    console.start_import(engine, shell.DEMO_VISITOR, "donations", "donasi.csv", data)
    console.start_allocation(engine, shell.DEMO_VISITOR)  # a second panel's job
    for key in started:
        jobs.wait(key, 120)
    engine.dispose()

    at = open_page(database_url, "admin", lang="id")  # settles: no panel reruns the page again
    assert shown(at.success) == ["0 baris cakupan dibuat, 0 bulan-pekerja."]

    assert shown(at.error) == ["donasi.csv: ditolak, tidak ada yang ditulis (1 baris salah)."]
    table = at.table[0].value
    assert table.reset_index().values.tolist() == [
        [3, "received_on", "31/02/2026", "tanggal itu tidak ada di kalender"],
        [
            3,
            "earmark_province",
            "Jawa Barat",
            "provinsi ditulis dengan kode ISO 3166-2:ID-nya, bukan namanya; tulis ID-JB",
        ],
        [3, "donation_id", "X1", "muncul lebih dari sekali dalam berkas ini"],
        [3, "donor_id", "D9", "donatur tidak ditemukan (impor donatur terlebih dahulu)"],
    ]

    # The same jobs seen from a page in English: written when shown, not when started.
    at = open_page(database_url, "admin", lang="en")
    assert shown(at.success) == ["0 coverage rows created, 0 worker-months."]
    assert shown(at.error) == ["donasi.csv: refused, nothing was written (1 bad rows)."]
    table = at.table[0].value
    assert list(table.reset_index().columns) == ["line", "column", "value", "reason"]
    assert table.reset_index().values.tolist()[0] == [
        3,
        "received_on",
        "31/02/2026",
        "no such day on the calendar",
    ]


def test_the_import_log_names_each_kind_and_writes_counts_as_the_page_does(
    open_page, cli, tmp_path, database_url
):
    import datetime as dt

    from dashboard.ledger.schema import ImportLog

    engine = open_ledger(database_url)
    with engine.begin() as conn:
        conn.execute(
            insert(ImportLog).values(
                kind="self_paid",
                file_name="bayar-sendiri.csv",
                sha256="0" * 64,
                rows_new=12_345,
                rows_updated=0,
                rows_unchanged=1_000_000,
                imported_at=dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC),
            )
        )
    engine.dispose()
    for lang, kind, new, unchanged in [
        ("id", "Bulan bayar sendiri (self_paid)", "12.345", "1.000.000"),
        ("en", "Self-paid months (self_paid)", "12,345", "1,000,000"),
    ]:
        at = open_page(database_url, "admin", lang=lang)
        (log,) = [d.value for d in at.dataframe if "file_name" in d.value.columns]
        assert log[["kind", "file_name", "new", "unchanged"]].values.tolist() == [
            [kind, "bayar-sendiri.csv", new, unchanged]
        ]


def test_a_long_unspent_list_shows_its_first_rows_whole_and_every_row_in_the_files(
    open_page, cli, tmp_path, database_url
):
    """More than 50 unspent donations (a new ledger's allocation): a scrolling grid cut each
    reason at its column's edge; the first 50 wrap in a table, the rest are in CSV/XLSX."""
    from tests.conftest import write_csv
    from tests.ledgers import DONATION_HEADER

    files = worked_example(tmp_path)
    import_all(cli, {k: files[k] for k in ("donors", "rates", "workers", "donations")})
    small = [[f"S{n:02}", "D1", "2024-04-21", "1000", "6"] for n in range(55)]
    imported = cli("import", "donations", write_csv(tmp_path, "small.csv", DONATION_HEADER, small))
    assert imported.exit_code == 0, imported.output
    at = _finish(_allocate(open_page(database_url, "admin", lang="en")))

    (listed,) = at.table
    assert len(listed.value) == 50
    assert listed.value.index[0] == "S00"
    assert "less than one block" in listed.value.iloc[0, 1]
    assert "... and 5 more: every row is in the files below." in [c.value for c in at.caption]
    downloads = [b for b in at.get("download_button") if b.proto.label in ("⬇ CSV", "⬇ XLSX")]
    assert len(downloads) == 2
