"""Production mode as visitors meet it: logged out, a donor user, an admin (AppTest)."""

from __future__ import annotations

import pytest

from dashboard.accounts.memberships import add_membership
from dashboard.core.i18n import translator
from dashboard.ledger.db import open_ledger
from tests.pages.conftest import metrics

ANA = {"is_logged_in": True, "email": "ana@example.org", "email_verified": True}
BOSS = {"is_logged_in": True, "email": "boss@example.org", "email_verified": True}
LOGGED_OUT = {"is_logged_in": False}


@pytest.fixture
def production(monkeypatch, demo_copy_url):
    """A copy of the demo with two members; pages read it in production mode."""
    monkeypatch.setenv("LINGKARAN_STATEMENT_KEY", "a-production-secret-for-tests")
    engine = open_ledger(demo_copy_url)
    add_membership(engine, "ana@example.org", "CSR-001", admin=False)
    add_membership(engine, "boss@example.org", None, admin=True)
    engine.dispose()
    return demo_copy_url


@pytest.mark.parametrize("page", ["donor_impact", "donor_compare", "admin"])
def test_a_logged_out_visitor_gets_a_login_prompt_not_data(open_page, demo_url, production, page):
    at = open_page(production, page, mode="production", user=LOGGED_OUT, donor="CSR-001")
    assert not at.metric
    prompt = translator("id")("Donor pages are private: log in with your organisation's account.")
    assert any(info.value == prompt for info in at.info)


@pytest.mark.parametrize("page", ["overview", "donors_wall", "methodology", "open_data"])
def test_public_pages_need_no_login(open_page, demo_url, production, page):
    at = open_page(production, page, mode="production", user=LOGGED_OUT)
    assert at.title and not at.error


@pytest.mark.parametrize("page", ["donor_impact", "donor_compare"])
def test_a_donor_user_sees_their_donor_and_no_other_whatever_the_url(
    open_page, demo_url, production, page
):
    own = open_page(production, page, mode="production", user=ANA, donor="CSR-001")
    assert metrics(own)
    assert (
        own.selectbox(key="donor").options == ["PT Harapan Pangan Makmur (CSR-001)"]
        or len(own.selectbox(key="donor").options) == 1
    )
    other = open_page(production, page, mode="production", user=ANA, donor="BUMN-001")
    assert not metrics(other)
    assert any("BUMN-001" in warning.value.replace("\\", "") for warning in other.warning)
    sneaky = open_page(production, page, mode="production", user=ANA, donor="x' OR '1'='1")
    assert not metrics(sneaky)


def test_the_admin_console_is_for_admins_only(open_page, demo_url, production):
    refused = open_page(production, "admin", mode="production", user=ANA)
    assert any(
        e.value == translator("id")("This page is for administrators.") for e in refused.error
    )
    admitted = open_page(production, "admin", mode="production", user=BOSS)
    assert admitted.title[0].value in ("Konsol admin", "Admin console")
    # Contract v2's kinds are offered, for the same importer as `lingkaran import`.
    # named in the page's language, the contract's code beside it
    assert {
        "Bulan bayar sendiri (self_paid)",
        "Konfirmasi BPJS Ketenagakerjaan (confirmations)",
    } <= set(admitted.selectbox(key="kind").options)
    assert "Signed in as" not in " ".join(c.value for c in admitted.caption)


def test_production_refuses_to_start_with_demo_secrets(open_page, demo_url, monkeypatch):
    monkeypatch.delenv("LINGKARAN_STATEMENT_KEY", raising=False)
    at = open_page(demo_url, "overview", mode="production")
    assert any("menolak" in e.value or "refuses" in e.value for e in at.error)
    assert not at.metric


def test_markup_in_a_donor_name_renders_as_text(open_page, tmp_path, cli, database_url):
    from tests.conftest import write_csv

    name = "**Bold** <script>alert(1)</script> [x](javascript:alert(1))"
    cli(
        "import",
        "donors",
        write_csv(tmp_path, "d.csv", ["donor_id", "name", "type"], [["EVIL", name, "corporate"]]),
    )
    cli(
        "import",
        "donations",
        write_csv(
            tmp_path,
            "g.csv",
            ["donation_id", "donor_id", "received_on", "amount_idr"],
            [["G1", "EVIL", "2024-01-10", "100000"]],
        ),
    )
    at = open_page(database_url, "donor_impact", donor="EVIL")
    heading = at.subheader[0].value
    assert "\\*\\*Bold\\*\\*" in heading and "\\<script\\>" in heading
    assert "\\[x\\]\\(javascript" in heading


@pytest.mark.parametrize(
    "claims",
    [{"email_verified": "false"}, {}, {"email_verified": "true"}],
    ids=["string false", "claim missing", "string true"],
)
def test_an_unverified_address_opens_no_donor_page(open_page, demo_url, production, claims):
    """ana@example.org is a member of CSR-001, but her sign-in does not say, as a boolean,
    that the address is verified (Microsoft Entra sends no claim at all)."""
    user = {"is_logged_in": True, "email": "ana@example.org", **claims}
    at = open_page(production, "donor_impact", mode="production", user=user, donor="CSR-001")
    assert not metrics(at)
    refused = translator("id")(
        "Your identity provider did not confirm that your e-mail address is verified, "
        "so no donor's pages can open. Ask an administrator."
    )
    assert any(warning.value == refused for warning in at.warning)


def test_a_listed_issuer_vouches_for_its_addresses(open_page, demo_url, production, monkeypatch):
    monkeypatch.setenv("LINGKARAN_VERIFIED_EMAIL_ISSUERS", "https://login.example.com/t/v2.0")
    user = {
        "is_logged_in": True,
        "email": "ana@example.org",
        "iss": "https://login.example.com/t/v2.0",
    }
    at = open_page(production, "donor_impact", mode="production", user=user, donor="CSR-001")
    assert metrics(at)


def test_a_donor_user_chooses_the_monthly_digest_on_their_page(open_page, demo_url, production):
    from dashboard.exports.digest import digest_setting

    at = open_page(production, "donor_impact", mode="production", user=ANA, donor="CSR-001")
    assert at.toggle(key="digest-on").value is True
    assert at.selectbox(key="digest-language").value == "id"
    at.toggle(key="digest-on").set_value(False).run()
    at.selectbox(key="digest-language").set_value("en").run()
    assert not at.exception
    engine = open_ledger(production)
    assert digest_setting(engine, "ana@example.org") == ("en", False)
    again = open_page(production, "donor_impact", mode="production", user=ANA, donor="CSR-001")
    assert again.toggle(key="digest-on").value is False
    # An admin has no donor of their own: no digest, no setting.
    boss = open_page(production, "donor_impact", mode="production", user=BOSS, donor="CSR-001")
    assert not boss.toggle and digest_setting(engine, "boss@example.org") == ("id", True)
