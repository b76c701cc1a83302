"""Access control in the query layer: memberships, roles, and every donor query scoped."""

from __future__ import annotations

import pytest

from dashboard.accounts.access import NOBODY, Access, AccessDenied, access_for
from dashboard.accounts.memberships import add_membership
from dashboard.exports.statement import make_statement
from dashboard.ledger.db import open_ledger
from queries import donor
from queries.figures import Period
from tests.conftest import TODAY

SCOPED = {
    "donor_info": (),
    "headline": (Period(), TODAY),
    "donations": (),
    "donation_coverage": ("BUMN-001-001",),
    "monthly": (),
    "profile": (Period(), TODAY),
    "flow": (),
    "claims": (Period(), TODAY),
}


@pytest.fixture
def members(demo_copy_url):
    demo_engine = open_ledger(demo_copy_url)
    for email, donor_id in (("ana@example.org", "CSR-001"), ("ana@example.org", "CSR-002")):
        add_membership(demo_engine, email, donor_id, admin=False)
    add_membership(demo_engine, "boss@example.org", None, admin=True)
    yield demo_engine
    demo_engine.dispose()


def test_a_donor_user_sees_only_their_donors_and_an_admin_all(members):
    ana = access_for(members, " Ana@Example.org ")
    assert ana.donor_ids == frozenset({"CSR-001", "CSR-002"}) and not ana.admin
    assert access_for(members, "boss@example.org").donor_ids is None
    assert access_for(members, "nobody@example.org").donor_ids == frozenset()
    assert set(donor.donors(members, ana)["donor_id"]) == {"CSR-001", "CSR-002"}
    assert donor.donors(members, NOBODY).empty


@pytest.mark.parametrize("query", list(SCOPED))
def test_every_donor_query_refuses_a_donor_outside_the_callers_access(members, query):
    function = getattr(donor, query)
    ana = access_for(members, "ana@example.org")
    with pytest.raises(AccessDenied):
        function(members, ana, "BUMN-001", *SCOPED[query])
    with pytest.raises(AccessDenied):
        function(members, NOBODY, "BUMN-001", *SCOPED[query])
    function(members, Access.everything("admin"), "BUMN-001", *SCOPED[query])


def test_ids_that_look_like_sql_change_nothing(members):
    ana = access_for(members, "ana@example.org")
    for sneaky in ("CSR-001' OR '1'='1", "CSR-001; DROP TABLE donors; --", "%", "*"):
        with pytest.raises(AccessDenied):
            donor.headline(members, ana, sneaky)
    assert len(donor.donors(members, Access.everything("admin"))) == 60


def test_statements_are_scoped_too(members):
    with pytest.raises(AccessDenied):
        make_statement(members, access_for(members, "ana@example.org"), "BUMN-001")


@pytest.mark.postgres
def test_the_dashboard_reads_with_a_read_only_postgresql_role(postgres_url, tmp_path):
    """The README's read-only role: figures work, writes are refused by the database."""
    import uuid

    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ProgrammingError

    from dashboard.ledger.importer import import_file
    from queries.figures import ledger_figures
    from tests.conftest import _reset_postgres, write_csv

    owner = _reset_postgres(postgres_url)
    role = f"lingkaran_reader_{uuid.uuid4().hex[:8]}"
    database = make_url(postgres_url).database
    with owner.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        conn.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO {role}'))
        conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
        conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"))
    reader_url = make_url(postgres_url).set(username=role).render_as_string(hide_password=False)
    try:
        reader = open_ledger(reader_url)  # the schema is current: nothing to migrate
        assert ledger_figures(reader, None, TODAY).donated_idr == 0
        path = write_csv(tmp_path, "d.csv", ["donor_id", "name", "type"], [["D1", "X", "soe"]])
        with pytest.raises(ProgrammingError, match="permission denied"):
            import_file(reader, "donors", path)
        reader.dispose()
    finally:
        with owner.begin() as conn:
            conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}"))
            conn.execute(text(f"REVOKE ALL ON SCHEMA public FROM {role}"))
            conn.execute(text(f'REVOKE ALL ON DATABASE "{database}" FROM {role}'))
            conn.execute(text(f"DROP ROLE {role}"))
        owner.dispose()


@pytest.mark.parametrize(
    ("claims", "trusted"),
    [
        ({"email": "ana@example.org", "email_verified": True}, True),
        ({"email": "ana@example.org", "email_verified": "false"}, False),  # a string
        ({"email": "ana@example.org", "email_verified": "true"}, False),  # not a boolean
        ({"email": "ana@example.org", "email_verified": False}, False),
        ({"email": "ana@example.org", "email_verified": 1}, False),
        ({"email": "ana@example.org"}, False),  # no claim, issuer not listed
        ({"email": "ana@example.org", "iss": "https://idp.other.example/"}, False),
        ({"email": "ana@example.org", "iss": "https://login.example.com/tenant/v2.0"}, True),
        ({"email": "ana@example.org", "iss": "https://login.example.com/tenant/v2.0/"}, True),
        # a listed issuer that says "not verified" is believed
        (
            {
                "email": "ana@example.org",
                "iss": "https://login.example.com/tenant/v2.0",
                "email_verified": False,
            },
            False,
        ),
        ({"email_verified": True}, False),  # no address at all
    ],
)
def test_only_a_boolean_true_or_a_listed_issuer_verifies_an_email(monkeypatch, claims, trusted):
    from dashboard.accounts.access import VERIFIED_ISSUERS_VARIABLE, verified_email

    monkeypatch.setenv(
        VERIFIED_ISSUERS_VARIABLE, " https://login.example.com/tenant/v2.0 , https://x.example"
    )
    assert (verified_email(claims) == "ana@example.org") is trusted
