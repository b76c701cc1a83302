"""The `lingkaran` command line: import, allocate, report, check, export, migrate, demo, serve."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys
import tomllib
from pathlib import Path

import click
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from dashboard.accounts.access import OPERATOR
from dashboard.core import config
from dashboard.core.errors import ImportRefused, LedgerError, NoDonation
from dashboard.core.formatting import number, rupiah
from dashboard.core.i18n import LANGUAGE_VARIABLE, LANGUAGES, environment_language, translator
from dashboard.core.values import Invalid, parse_date, parse_month
from dashboard.ledger.db import open_ledger
from dashboard.ledger.importer import KINDS, import_file
from dashboard.ledger.ledger_files import export_ledger, import_ledger
from dashboard.web.production import production_problems


class _Command(click.Group):
    """Turns the errors a user can act on into messages and exit codes, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ImportRefused as refused:
            click.echo(refused.report(_language(ctx)), err=True)
            sys.exit(1)
        except LedgerError as problem:
            click.echo(f"error: {problem.render(_language(ctx))}", err=True)
            sys.exit(1)
        except SQLAlchemyError as problem:
            click.echo(
                f"database error: {problem.__class__.__name__}: "
                f"{getattr(problem, 'orig', None) or problem}",
                err=True,
            )
            sys.exit(2)


def _language(ctx: click.Context) -> str:
    return (ctx.obj or {}).get("lang") or environment_language(os.environ)


def _engine(ctx: click.Context) -> Engine:
    return open_ledger(ctx.obj["url"])


def _progress() -> bool:
    return sys.stderr.isatty()


def _parsed(parse):
    """A click callback that reads an option with one of the contract's parsers
    (``dashboard.core.values``): the parser's reason becomes click's error."""

    def callback(_ctx, _param, value: str | None):
        if value is None:
            return None
        try:
            return parse(value)
        except Invalid as problem:
            raise click.BadParameter(f"{value!r}: {problem}") from None

    return callback


_date_option = _parsed(lambda value: parse_date(value, dt.date.max))
_month_option = _parsed(parse_month)


@click.group(cls=_Command)
@click.option(
    "--db",
    "url",
    metavar="URL",
    help=f"SQLAlchemy database URL (default: ${config.DATABASE_URL_VARIABLE}, "
    "else an SQLite file in the user's data directory).",
)
@click.option(
    "--lang",
    type=click.Choice(list(LANGUAGES)),
    help=f"Language of the reports and refusals (default: ${LANGUAGE_VARIABLE}, else id "
    "when the locale (LC_ALL, LANG) is Indonesian, else en).",
)
@click.pass_context
def main(ctx: click.Context, url: str | None, lang: str | None) -> None:
    """Lingkaran: the GN Lingkaran allocation ledger and its donor dashboard."""
    ctx.obj = {
        "url": config.database_url(url),
        "explicit_url": url,
        "lang": lang or environment_language(os.environ),
    }


@main.command("init-db")
@click.pass_context
def init_db(ctx: click.Context) -> None:
    """Create the ledger schema or upgrade it to the newest migration."""
    _engine(ctx)
    click.echo(f"Ledger schema is up to date: {ctx.obj['url']}")


@main.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_context
def import_command(ctx: click.Context, kind: str, file: Path) -> None:
    """Import one contract FILE (CSV or XLSX) of KIND; all of it or nothing."""
    result = import_file(_engine(ctx), kind, file, progress=_progress())
    click.echo(result.summary(_language(ctx)))


@main.command()
@click.option("--verbose", "-v", is_flag=True, help="List every donation that was allocated.")
@click.option("--dry-run", is_flag=True, help="Show what an allocation would do; write nothing.")
@click.pass_context
def allocate(ctx: click.Context, verbose: bool, dry_run: bool) -> None:
    """Allocate unspent donations to eligible workers (docs/contract.md "Allocation"); name
    each donation left unspent, and warn first when blocks would start in months past."""
    from dashboard.ledger.allocation_report import allocation_lines, late_start_lines
    from dashboard.ledger.allocator import allocate as run_allocation
    from dashboard.ledger.allocator import late_starts

    lang, engine = _language(ctx), _engine(ctx)
    for line in late_start_lines(late_starts(engine), lang):
        click.echo(line)
    result = run_allocation(engine, progress=_progress(), dry_run=dry_run)
    for line in allocation_lines(result, lang, every_donation=verbose):
        click.echo(line)


def _period_options(function):
    function = click.option(
        "--fiscal-year",
        "fiscal",
        type=click.IntRange(1900, 2999),
        metavar="YEAR",
        help="The donor's fiscal year beginning in YEAR (instead of --from/--to).",
    )(function)
    function = click.option(
        "--to", "end", callback=_date_option, metavar="DATE", help="Donations received up to."
    )(function)
    return click.option(
        "--from", "start", callback=_date_option, metavar="DATE", help="Donations received from."
    )(function)


def _period(engine: Engine, donor_id: str | None, start, end, fiscal: int | None, as_of):
    """The period the options choose (--from/--to, or the donor's --fiscal-year) and the
    date its figures are as of: --as-of, or the earlier of the period's end and today, as on
    the donor page (docs/contract.md "As of": a closed period stays closed, and a statement
    and a report pack of the same year carry the same code)."""
    period = _chosen_period(engine, donor_id, start, end, fiscal)
    if as_of is None and period.end is not None:
        as_of = min(period.end, dt.date.today())
    return period, as_of


def _chosen_period(engine: Engine, donor_id: str | None, start, end, fiscal: int | None):
    from queries import donor
    from queries.figures import Period, fiscal_year

    if fiscal is None:
        return Period(start, end)
    if start or end:
        raise click.UsageError("give --fiscal-year or --from/--to, not both")
    if donor_id is None:
        raise click.UsageError("--fiscal-year is a donor's: give --donor ID")
    info = donor.donor_info(engine, OPERATOR, donor_id)
    if info is None:
        raise LedgerError(f"no donor {donor_id!r}")
    return fiscal_year(fiscal, info.fiscal_year_start, dt.date.today())


@main.command()
@click.option("--donor", "donor_id", metavar="ID", help="One donor's figures (default: all).")
@click.option(
    "--as-of",
    callback=_date_option,
    metavar="DATE",
    help="The figures as at the end of DATE: only what was received, paid and confirmed by "
    "then (default: the period's end, or today).",
)
@click.option("--format", "output", type=click.Choice(["json", "table"]), default="table")
@_period_options
@click.pass_context
def report(
    ctx: click.Context,
    donor_id: str | None,
    as_of: dt.date | None,
    output: str,
    start: dt.date | None,
    end: dt.date | None,
    fiscal: int | None,
) -> None:
    """The contract's figures for one donor or for the whole programme (donations received
    in a period, or in the donor's fiscal year, when one is given)."""
    from queries.figures import ledger_figures

    engine = _engine(ctx)
    period, as_of = _period(engine, donor_id, start, end, fiscal, as_of)
    figures = ledger_figures(engine, donor_id, as_of, period).as_report()
    if output == "json":
        click.echo(json.dumps(figures, indent=2))
        return
    width = max(len(key) for key in figures)
    for key, value in figures.items():
        shown = (
            rupiah(value)
            if key.endswith("_idr")
            else (number(value) if isinstance(value, int) else value)
        )
        click.echo(f"{key:<{width}}  {shown}")


@main.command()
@click.option("--as-of", callback=_date_option, metavar="DATE", help="Date for active workers.")
@click.option(
    "--since",
    is_flag=True,
    help="Verify only what the writes since the last passing full check touched.",
)
@click.pass_context
def check(ctx: click.Context, as_of: dt.date | None, since: bool) -> None:
    """Verify the ledger's invariants; exit 1 listing every violation. A full check that
    passes is recorded; `--since` starts from the last one."""
    from queries.check_since import check_since, full_check

    lang = _language(ctx)
    _ = translator(lang)
    engine = _engine(ctx)
    if not since:
        violations = full_check(engine, as_of)
    else:
        report = check_since(engine, as_of)
        violations = report.violations
        if report.base is None:
            click.echo(
                _("{why}: ran the full check.").format(why=report.why.render(lang)), err=True
            )
        else:
            change = report.change
            click.echo(
                _(
                    "Since the full check #{run} of {day}: {coverage} coverage row(s), "
                    "{self_paid} self-paid row(s), {confirmations} confirmation(s) and "
                    "{changes} change(s) to workers and claims; verified {donations} "
                    "donation(s) and {workers} worker(s)."
                ).format(
                    run=report.base,
                    day=report.base_at.date().isoformat(),
                    coverage=number(change.coverage_rows, lang),
                    self_paid=number(change.self_paid_rows, lang),
                    confirmations=number(change.confirmations, lang),
                    changes=number(change.changes, lang),
                    donations=number(change.donations, lang),
                    workers=number(change.worker_count, lang),
                )
            )
    if violations:
        click.echo(_("{count} violation(s):").format(count=len(violations)), err=True)
        for violation in violations:
            click.echo(f"  {violation.text(lang)}", err=True)
        sys.exit(1)
    click.echo(
        _(
            "Ledger OK: money conserved, no overlapping coverage, derived tables match, "
            "donors sum to totals."
        )
    )


@main.command()
@click.option(
    "--as-of",
    callback=_date_option,
    metavar="DATE",
    help="The release's cut-off (default: the last day of last month).",
)
@click.pass_context
def release(ctx: click.Context, as_of: dt.date | None) -> None:
    """Publish a public release: the public surface as of a day, stored for good."""
    from dashboard.publish.releases import describe_release, publish
    from dashboard.publish.webhooks import notify

    engine = _engine(ctx)
    info = publish(engine, as_of)
    click.echo(describe_release(info))
    for key, release_id, answer in notify(engine):
        state = "sent" if answer.ok else f"not sent ({answer.error}); tried again later"
        click.echo(f"webhook {key}: release {release_id} {state}")


@main.command("seed-demo")
@click.option("--workers", default=50_000, show_default=True, help="Number of workers.")
@click.option("--seed", default=2016, show_default=True, help="Random seed (same seed, same data).")
@click.pass_context
def seed_demo(ctx: click.Context, workers: int, seed: int) -> None:
    """Build a realistic synthetic programme through the importer and the allocator."""
    from dashboard.ledger.demo import seed_programme

    engine = _engine(ctx)
    seed_programme(engine, workers=workers, seed=seed, progress=True, echo=click.echo)
    _seed_releases(engine)


def _seed_releases(engine: Engine) -> None:
    """The demo's public history: a release at the end of each of its last 12 months."""
    from dashboard.publish.releases import monthly_releases

    for info in monthly_releases(engine, 12):
        click.echo(f"Published release {info.id} (data to {info.as_of.isoformat()})")


PROCESSES = click.option(
    "--processes",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="App processes behind HAProxy (one per core; needs the haproxy package).",
)


@main.command()
@click.option("--port", default=8501, show_default=True, help="Port for the web app.")
@click.option("--workers", default=50_000, show_default=True, help="Workers in a new demo.")
@PROCESSES
@click.pass_context
def demo(ctx: click.Context, port: int, workers: int, processes: int) -> None:
    """Build the demo database if missing and start the dashboard on it."""
    from dashboard.ledger.demo import has_programme, is_seeded_demo, seed_programme

    url = ctx.obj["explicit_url"] or config.demo_database_url()
    engine = open_ledger(url)
    if not has_programme(engine):
        click.echo(f"Building the demo ledger ({number(workers, 'en')} workers) in {url} ...")
        seed_programme(engine, workers=workers, seed=2016, progress=True, echo=click.echo)
        _seed_releases(engine)
    elif not is_seeded_demo(engine) and url != config.demo_database_url():
        # The demo opens every donor's pages to anyone who reaches the port: a real ledger
        # opened with it by mistake would be published. (The demo's own file predates the
        # mark when an earlier version built it; nothing else writes there.)
        engine.dispose()
        raise click.ClickException(
            f"{url} holds a ledger that `lingkaran demo` did not build: the demo shows "
            "every donor's pages without a login, so it serves only its own fictional "
            "programme. Serve this ledger with `lingkaran --db URL serve` (login and "
            "memberships), or start the demo on a new file."
        )
    engine.dispose()
    click.echo(f"Lingkaran demo on http://localhost:{port} (database {url})")
    _start(url, "demo", port=port, max_upload_mb=50, processes=processes)


@main.command()
@click.option("--port", default=8501, show_default=True, help="Port for the web app.")
@click.option("--address", default=None, help="Address to listen on (default: all).")
@click.option("--max-upload-mb", default=50, show_default=True, help="Largest admin upload, in MB.")
@PROCESSES
@click.pass_context
def serve(
    ctx: click.Context, port: int, address: str | None, max_upload_mb: int, processes: int
) -> None:
    """Serve the dashboard and its API in production mode (login and memberships).

    Reads `.streamlit/secrets.toml` from the current folder (identity provider, cookie
    secret); the hardening settings are passed here, so no config.toml is needed. With
    `--processes N`, N app processes share the ledger behind HAProxy on PORT, each browser
    kept on one process; use PostgreSQL for the ledger then.
    """
    problems = production_problems(_secrets())
    if problems:
        click.echo("Lingkaran refuses to start in production mode:", err=True)
        for problem in problems:
            click.echo(f"- {problem}", err=True)
        sys.exit(1)
    open_ledger(ctx.obj["url"]).dispose()  # the schema is current before the first visitor
    click.echo(f"Lingkaran on port {port} (production mode)")
    _start(
        ctx.obj["url"],
        "production",
        port=port,
        max_upload_mb=max_upload_mb,
        address=address,
        processes=processes,
    )


def _start(url: str, mode: str, *, processes: int, **options) -> None:
    """The app process (or several behind HAProxy), kept running by this process: one that
    dies is started again and named in the log (`dashboard.web.serving.serve_processes`)."""
    from dashboard.web.serving import serve_processes

    try:
        code = serve_processes(url, mode, processes=processes, echo=click.echo, **options)
    except (FileNotFoundError, RuntimeError) as problem:
        raise click.ClickException(str(problem)) from None
    sys.exit(code)


@main.command("proxy-config")
@click.option("--port", default=8501, show_default=True, help="Port HAProxy listens on.")
@click.option("--address", default=None, help="Address HAProxy listens on (default: all).")
@click.option(
    "--backend",
    "backends",
    multiple=True,
    required=True,
    metavar="HOST:PORT",
    help="An app process (`lingkaran serve` on a machine); repeat for each.",
)
@click.option(
    "--api-backend",
    "api_backends",
    multiple=True,
    metavar="HOST:PORT",
    help="A process that answers /api/ only (optional); repeat for each.",
)
def proxy_config_command(
    port: int, address: str | None, backends: tuple[str, ...], api_backends: tuple[str, ...]
) -> None:
    """Print an HAProxy configuration for app processes on several machines."""
    from dashboard.web.serving import Backend, proxy_config

    def parsed(addresses: tuple[str, ...], prefix: str, option: str) -> list[Backend]:
        found = []
        for n, backend in enumerate(addresses, start=1):
            host, _, number_text = backend.rpartition(":")
            if not host or not number_text.isdigit() or not 0 < int(number_text) < 65536:
                raise click.BadParameter(f"{backend!r}: expected HOST:PORT", param_hint=option)
            found.append(Backend(f"{prefix}{n}", host, int(number_text)))
        return found

    click.echo(
        proxy_config(
            port,
            parsed(backends, "app", "--backend"),
            address,
            parsed(api_backends, "api", "--api-backend"),
        ),
        nl=False,
    )


def _secrets() -> dict:
    """The secrets Streamlit will read: ~/.streamlit/secrets.toml, then the current folder's."""
    secrets: dict = {}
    for path in (Path.home() / ".streamlit" / "secrets.toml", Path(".streamlit/secrets.toml")):
        if path.is_file():
            try:
                secrets.update(tomllib.loads(path.read_text(encoding="utf-8")))
            except tomllib.TOMLDecodeError as problem:
                raise click.ClickException(f"{path}: not valid TOML ({problem})") from None
    return secrets


@main.group()
def export() -> None:
    """Export the ledger, a slide deck, a donor impact statement or an IATI file."""


@export.command("ledger")
@click.option(
    "--out",
    "folder",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the CSV files and manifest.json (created if missing).",
)
@click.option(
    "--kinds",
    default=",".join(KINDS),
    show_default=True,
    metavar="KIND,...",
    help="Which contract files to write.",
)
@click.pass_context
def export_ledger_command(ctx: click.Context, folder: Path, kinds: str) -> None:
    """Write the contract's files and a manifest (row counts, sha256) for auditors."""
    chosen = [kind.strip() for kind in kinds.split(",") if kind.strip()]
    unknown = sorted(set(chosen) - set(KINDS))
    if unknown:
        raise click.BadParameter(f"unknown kind(s): {', '.join(unknown)}", param_hint="--kinds")
    manifest = export_ledger(_engine(ctx), folder, chosen, progress=_progress())
    for kind, entry in manifest["files"].items():
        click.echo(f"{folder / entry['file']}: {number(entry['rows'])} rows ({kind})")
    click.echo(f"{folder / 'manifest.json'}: schema {manifest['schema_revision']}")


@export.command("deck")
@click.option("--donor", "donor_id", metavar="ID", help="One donor (default: the programme).")
@_period_options
@click.option("--as-of", callback=_date_option, metavar="DATE", help="Date of the figures.")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def export_deck(ctx, donor_id, start, end, fiscal, as_of, lang, out: Path) -> None:
    """A .pptx slide deck with native, editable charts."""
    from pptx import Presentation as PptxPresentation

    from dashboard.exports.deck import build_deck
    from dashboard.exports.presentation import presentation

    engine = _engine(ctx)
    period, as_of = _period(engine, donor_id, start, end, fiscal, as_of)
    content = presentation(engine, OPERATOR, donor_id, period, as_of, lang)
    if donor_id is not None and content.figures.donated_idr == 0:  # as the donor page does
        raise NoDonation(donor_id, "the chosen period", "deck", "--from and --to, or --fiscal-year")
    deck = build_deck(content)
    out.write_bytes(deck)
    slides = len(PptxPresentation(io.BytesIO(deck)).slides)  # counted, not assumed
    click.echo(f"{out}: {slides} slides ({lang})")


@export.command("statement")
@click.option("--donor", "donor_id", required=True, metavar="ID", help="The donor.")
@_period_options
@click.option("--as-of", callback=_date_option, metavar="DATE", help="Date of the figures.")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def export_statement(ctx, donor_id, start, end, fiscal, as_of, lang, out: Path) -> None:
    """A donor impact statement (.pdf) with its verification code."""
    from dashboard.exports.statement import make_statement, render_statement

    engine = _engine(ctx)
    period, as_of = _period(engine, donor_id, start, end, fiscal, as_of)
    statement = make_statement(engine, OPERATOR, donor_id, period, as_of)
    out.write_bytes(render_statement(engine, OPERATOR, statement, lang))
    click.echo(f"{out}: verification code {statement.code}")


@export.command("report-pack")
@click.option("--donor", "donor_id", required=True, metavar="ID", help="The donor.")
@click.option(
    "--fiscal-year",
    "year",
    required=True,
    type=click.IntRange(1900, 2999),
    metavar="YEAR",
    help="The donor's fiscal year beginning in YEAR (2025: 2025/26 for an April start).",
)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def export_report_pack(ctx, donor_id: str, year: int, lang: str, out: Path) -> None:
    """A sustainability-report pack (.xlsx): GRI 203 and 413, POJK 51 and TJSL indicators."""
    from dashboard.exports.report_pack import report_pack

    out.write_bytes(report_pack(_engine(ctx), OPERATOR, donor_id, year, lang))
    click.echo(f"{out}: report pack of {donor_id}, fiscal year {year} ({lang})")


@export.command("iati")
@click.option("--release", "release_id", metavar="ID", help="The release (default: the latest).")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (default: iati-activity-<release>.xml here).",
)
@click.pass_context
def export_iati(ctx, release_id: str | None, out: Path | None) -> None:
    """An IATI 2.03 activity file of the programme, from a public release."""
    from dashboard.exports.iati import activity, activity_identifier
    from dashboard.publish.open_data import publication

    engine = _engine(ctx)
    info = publication(engine, release=release_id).release  # NoRelease: a clear error
    out = out or Path(f"iati-activity-{info.id}.xml")
    out.write_bytes(activity(engine, info.id))
    click.echo(f"{out}: IATI activity {activity_identifier()}, release {info.id}")


@main.command("import-ledger")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def import_ledger_command(ctx: click.Context, folder: Path) -> None:
    """Import an exported ledger folder: manifest verified first, one transaction."""
    import_ledger(_engine(ctx), folder, progress=_progress(), echo=click.echo)


@main.command()
@click.option("--from", "source", required=True, metavar="URL", help="The ledger to copy.")
@click.option("--to", "target", required=True, metavar="URL", help="The database to fill.")
@click.option(
    "--into-non-empty",
    is_flag=True,
    help="Import even if the target already holds a ledger (rows must agree).",
)
def migrate(source: str, target: str, into_non_empty: bool) -> None:
    """Copy a ledger and the app's state to another database (SQLite to PostgreSQL), then
    check and compare."""
    import tempfile

    from dashboard.ledger.app_state import carry_app_state, refuse_conflicting_releases
    from dashboard.ledger.demo import is_seeded_demo, mark_as_demo
    from dashboard.ledger.ledger_files import ledger_is_empty
    from queries.check_since import full_check
    from queries.checks import compare_reports

    origin, destination = open_ledger(source), open_ledger(target)
    was_empty = ledger_is_empty(destination)
    if not into_non_empty and not was_empty:
        raise LedgerError(
            "the target already holds a ledger; use --into-non-empty to import into it anyway"
        )
    refuse_conflicting_releases(origin, destination)
    with tempfile.TemporaryDirectory(prefix="lingkaran-migrate-") as folder:
        export_ledger(origin, Path(folder), progress=_progress())
        import_ledger(destination, Path(folder), progress=_progress(), echo=click.echo)
    # Memberships, fiscal years, digests, issued statements, the audit log and the public
    # releases with their secret: the app's, not the contract's files, and lost otherwise.
    click.echo(carry_app_state(origin, destination).summary())
    violations = full_check(destination)  # recorded: `check --since` starts from it
    for violation in violations:
        click.echo(f"  {violation}", err=True)
    differences = compare_reports(origin, destination)
    for difference in differences:
        click.echo(f"  report differs: {difference}", err=True)
    if violations or differences:
        sys.exit(1)
    if was_empty and is_seeded_demo(origin):  # the fictional programme, moved: still a demo
        mark_as_demo(destination, "copied by `lingkaran migrate` from a demo ledger")
    click.echo("Migrated: check passes on the target and every report is identical.")


@main.command("fiscal-year")
@click.argument("donor_id", metavar="DONOR_ID")
@click.argument("month", type=click.IntRange(1, 12))
@click.pass_context
def fiscal_year_command(ctx: click.Context, donor_id: str, month: int) -> None:
    """Set the MONTH (1-12) in which DONOR_ID's fiscal year begins (1: calendar year)."""
    from dashboard.accounts.fiscal_year import set_fiscal_year_start

    click.echo(set_fiscal_year_start(_engine(ctx), donor_id, month, OPERATOR.who))


@main.command()
@click.option("--month", required=True, callback=_month_option, metavar="YYYY-MM")
@click.option("--send", is_flag=True, help="Send through [smtp] (default: write for review).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the messages to review (default: digest-YYYY-MM).",
)
@click.option(
    "--link",
    metavar="URL",
    help="The app's address, for the donor-page link (default: LINGKARAN_PUBLIC_URL).",
)
@click.pass_context
def digest(ctx: click.Context, month: int, send: bool, out: Path | None, link: str | None):
    """The monthly digest of MONTH for every donor user who has not opted out: written to a
    folder as .eml files, or with --send sent once per address (a refused address is reported
    and tried again by the next run)."""
    from dashboard.core.months import month_label
    from dashboard.exports.digest import SmtpSettings, digests, send_digests, write_digests

    secrets = _secrets()
    link = link or config.public_url()
    engine = _engine(ctx)
    found = digests(engine, month, link)
    if not send:
        sender = (secrets.get("smtp") or {}).get("from") or "lingkaran@localhost"
        folder = out or Path(f"digest-{month_label(month)}")
        written = write_digests(found, folder, sender)
        click.echo(f"wrote {len(written)} message(s) for {month_label(month)} to {folder}/")
        if not link:
            click.echo("no link to the donor page: give --link or LINGKARAN_PUBLIC_URL", err=True)
        return
    result = send_digests(engine, found, SmtpSettings.from_secrets(secrets))
    click.echo(
        f"{month_label(month)}: sent {len(result.sent)}, already sent before "
        f"{len(result.already)}, failed {len(result.failed)}"
    )
    for email, reason in result.failed.items():
        click.echo(f"failed: {email}: {reason} (tried again next run)", err=True)
    for email in result.unknown:
        click.echo(
            f"unknown: {email}: an earlier run stopped while sending; not sent again",
            err=True,
        )
    if result.failed:
        sys.exit(3)


@main.group()
def webhooks() -> None:
    """Addresses told of every public release published after they are registered."""


@webhooks.command("add")
@click.argument("url")
@click.pass_context
def webhooks_add(ctx: click.Context, url: str) -> None:
    """Register URL; prints the secret its deliveries are signed with (shown only now)."""
    from dashboard.publish.webhooks import register

    key, secret = register(_engine(ctx), url, "cli")
    click.echo(f"webhook {key}: {url}\nsigning secret (keep it; it is not shown again): {secret}")


@webhooks.command("list")
@click.pass_context
def webhooks_list(ctx: click.Context) -> None:
    """Each webhook and its delivery log."""
    from dashboard.publish.webhooks import listing

    for hook in listing(_engine(ctx)):
        click.echo(f"webhook {hook['id']}: {hook['url']}")
        for entry in hook["log"]:
            status = entry["http_status"] if entry["http_status"] is not None else "-"
            click.echo(
                f"  {entry['at']:%Y-%m-%d %H:%M} release {entry['release_id']} "
                f"{entry['status']} ({status}) {entry['error'] or ''}".rstrip()
            )


@webhooks.command("remove")
@click.argument("key", type=int, metavar="ID")
@click.pass_context
def webhooks_remove(ctx: click.Context, key: int) -> None:
    """Stop sending to webhook ID (its delivery log stays)."""
    from dashboard.publish.webhooks import remove

    if not remove(_engine(ctx), key):
        raise LedgerError(f"there is no active webhook {key}")
    click.echo(f"webhook {key} removed")


@webhooks.command("deliver")
@click.pass_context
def webhooks_deliver(ctx: click.Context) -> None:
    """Send every delivery due now (the failed ones whose wait is over): run it from cron."""
    from dashboard.publish.webhooks import deliver_due

    for key, release_id, answer in deliver_due(_engine(ctx)):
        state = "sent" if answer.ok else f"not sent ({answer.error})"
        click.echo(f"webhook {key}: release {release_id} {state}")


@main.group()
def users() -> None:
    """Who may see which donor: memberships by verified e-mail."""


@users.command("add")
@click.argument("email")
@click.option("--donor", "donor_id", metavar="ID", help="Give this donor's pages.")
@click.option("--admin", is_flag=True, help="Give every donor and the admin console.")
@click.pass_context
def users_add(ctx: click.Context, email: str, donor_id: str | None, admin: bool) -> None:
    """Give EMAIL a donor (repeat for several) or make it an admin."""
    from dashboard.accounts.memberships import add_membership, audit

    if bool(donor_id) == admin:
        raise click.UsageError("give exactly one of --donor ID or --admin")
    engine = _engine(ctx)
    message = add_membership(engine, email, donor_id, admin=admin)
    audit(engine, OPERATOR.who, "users add", message)
    click.echo(message)


@users.command("digest")
@click.argument("email")
@click.option("--language", type=click.Choice(["id", "en"]), help="The digest's language.")
@click.option("--stop/--receive", "stop", default=None, help="Stop or resume the digest.")
@click.pass_context
def users_digest(ctx: click.Context, email: str, language: str | None, stop: bool | None):
    """Show or change EMAIL's monthly digest (as its user can on the donor page)."""
    from dashboard.accounts.memberships import audit
    from dashboard.exports.digest import set_digest

    engine = _engine(ctx)
    if language is None and stop is None:
        from dashboard.exports.digest import digest_setting

        chosen = digest_setting(engine, email)
    else:
        chosen = set_digest(
            engine, email, language=language, receives=None if stop is None else not stop
        )
        detail = f"{email}: digest {'on' if chosen[1] else 'off'}, in {chosen[0]}"
        audit(engine, OPERATOR.who, "users digest", detail)
    language, receives = chosen
    click.echo(
        f"{email}: {'receives' if receives else 'does not receive'} the digest, in {language}"
    )


@users.command("list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    """Every membership: e-mail, role, donor."""
    from dashboard.accounts.memberships import memberships

    for email, role, donor_id in memberships(_engine(ctx)):
        click.echo(f"{email}\t{role}\t{donor_id or '*'}")


@users.command("remove")
@click.argument("email")
@click.option("--donor", "donor_id", metavar="ID", help="Only this donor (default: all).")
@click.pass_context
def users_remove(ctx: click.Context, email: str, donor_id: str | None) -> None:
    """Take memberships away from EMAIL."""
    from dashboard.accounts.memberships import audit, remove_membership

    engine = _engine(ctx)
    removed = remove_membership(engine, email, donor_id)
    message = f"removed {removed} membership(s) of {email.strip().lower()}"
    audit(engine, OPERATOR.who, "users remove", message)
    click.echo(message)


if __name__ == "__main__":
    main()
