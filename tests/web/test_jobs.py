"""Admin jobs run in the process's job thread, say how far they are and keep their outcome."""

from __future__ import annotations

import threading

from dashboard.core.errors import LedgerError
from dashboard.core.progress import progress_bar
from dashboard.web import jobs


def test_a_job_reports_its_progress_and_keeps_its_outcome():
    release = threading.Event()
    reported = threading.Event()

    def work(report):
        report("allocate", 2, 5)
        reported.set()
        assert release.wait(30)
        return jobs.Outcome(True, "done", wrote=True)

    key = jobs.start("allocate", "boss@example.org", work, "stopped")
    assert reported.wait(30)
    running = jobs.job(key)
    assert running.running and (running.what, running.done, running.total) == ("allocate", 2, 5)
    release.set()
    ended = jobs.wait(key, 30)
    assert not ended.running and ended.outcome == jobs.Outcome(True, "done", wrote=True)
    assert jobs.job(key) is ended


def test_a_refusal_is_the_admins_message_and_a_fault_is_a_sentence_not_a_traceback():
    def refused(report):
        raise LedgerError("no donor with id 'X'")

    def broken(report):
        raise RuntimeError("secret internals at line 42")

    outcome = jobs.wait(jobs.start("check", "a", refused, "stopped"), 30).outcome
    assert not outcome.ok and jobs.in_language(outcome.message, "en") == "no donor with id 'X'"
    failed = "The check stopped before it finished."
    fault = jobs.wait(jobs.start("check", "a", broken, failed), 30).outcome
    assert not fault.ok
    assert jobs.in_language(fault.message, "en") == failed
    assert jobs.in_language(fault.message, "id") == "Pemeriksaan terhenti sebelum selesai."


def test_jobs_run_one_at_a_time():
    """One write at a time, as the ledger takes them: the second waits for the first."""
    first_in = threading.Event()
    release = threading.Event()
    order = []

    def first(report):
        first_in.set()
        assert release.wait(30)
        order.append("first")
        return jobs.Outcome(True, "1")

    def second(report):
        order.append("second")
        return jobs.Outcome(True, "2")

    one = jobs.start("allocate", "a", first, "stopped")
    assert first_in.wait(30)
    two = jobs.start("import", "a", second, "stopped")
    assert jobs.job(two).running  # queued behind the first
    release.set()
    jobs.wait(two, 30)
    assert order == ["first", "second"] and not jobs.job(one).running


def test_a_reported_bar_counts_like_tqdm_and_ends_at_its_total():
    reports = []
    for _ in progress_bar(lambda *r: reports.append(r), range(1000), desc="allocate"):
        pass
    assert reports[-1] == ("allocate", 1000, 1000)
    assert all(total == 1000 for _, _, total in reports)


def test_a_burst_of_allocations_from_many_sessions_writes_each_row_once(cli, engine, tmp_path):
    """Twenty admins press "Run the allocator" at once (twenty threads, one engine, as a
    server process has): the jobs queue on the one job thread, every one ends, and the
    worked example's two coverage rows are written once (docs/contract.md "Allocation": run
    again, it creates nothing that exists)."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func, select

    from dashboard.ledger.allocator import allocate
    from dashboard.ledger.schema import Coverage
    from tests.ledgers import import_all, worked_example

    files = worked_example(tmp_path)
    import_all(cli, {k: files[k] for k in ("donors", "rates", "workers", "donations")})

    def press(i):
        def work(report):
            made = allocate(engine, progress=report)
            return jobs.Outcome(True, str(made.coverage_rows), wrote=True)

        return jobs.start("allocate", f"admin{i}@example.org", work, "stopped")

    with ThreadPoolExecutor(20) as pool:
        keys = list(pool.map(press, range(20)))
    outcomes = [jobs.wait(key, 120).outcome for key in keys]
    assert all(outcome.ok for outcome in outcomes)
    assert sorted(int(outcome.message) for outcome in outcomes) == [0] * 19 + [2]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Coverage)).scalar_one() == 2
