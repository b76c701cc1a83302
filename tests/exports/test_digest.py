"""The monthly digest (issue "CSR manager's year", part 3) against a real SMTP server on
loopback (aiosmtpd): figures by hand, both languages, opt-out, nothing sent twice, a refused
address reported and sent by the next run while the others go."""

from __future__ import annotations

import contextlib
import email
import email.policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import insert

from dashboard.core.formatting import rupiah
from dashboard.core.months import month_index
from dashboard.exports.digest import SENDING, SmtpSettings, digest_setting, set_digest
from dashboard.ledger.db import open_ledger
from dashboard.ledger.schema import DigestDelivery
from tests.ledgers import AUTUMN_DONATIONS, lapsing_ledger

NOVEMBER = "2026-11"
HOSTILE_NAME = "PT <b>Lapsing</b> & Co www.evil.example"


@pytest.fixture
def digest_ledger(cli, tmp_path, monkeypatch):
    """Donor L1 of tests/pages/test_lapses (A, B in 2026-10; C 2026-10..11; D 2026-10..12;
    A again 2026-11..2027-02 from H4, received 2026-10-05), a paid JKK claim of D in October
    (3,000,000) and of C in November (5,000,000), and five e-mails: alice (English), budi
    (Indonesian, the default), carol (opted out), dewi (refused by the server at first) and
    an admin (no digest: no donor of their own)."""
    lapsing_ledger(
        cli,
        tmp_path,
        AUTUMN_DONATIONS,
        claims=[
            ["K1", "D", "JKK", "2026-10-10", "paid", "2026-10-25", "3000000"],
            ["K2", "C", "JKK", "2026-11-03", "paid", "2026-11-20", "5000000"],
        ],
        name=HOSTILE_NAME,
    )
    for who in ("alice", "budi", "carol", "dewi"):
        assert cli("users", "add", f"{who}@example.org", "--donor", "L1").exit_code == 0
    assert cli("users", "add", "admin@example.org", "--admin").exit_code == 0
    assert cli("users", "digest", "alice@example.org", "--language", "en").exit_code == 0
    assert cli("users", "digest", "carol@example.org", "--stop").exit_code == 0
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


class Mailbox:
    """An SMTP server's handler: keeps what it accepts, refuses the addresses in ``refuse``."""

    def __init__(self) -> None:
        self.refuse: set[str] = set()
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [message for rcpt, message in self.received if address in rcpt]


def _login(server, session, envelope, mechanism, data) -> AuthResult:
    good = isinstance(data, LoginPassword) and (data.login, data.password) == (
        b"lingkaran",
        b"s3cret",
    )
    return AuthResult(success=good, handled=False)  # False: the server answers 535


@contextlib.contextmanager
def smtp_server(folder: Path, port: int, secrets: str, **options):
    """A real SMTP server on loopback (aiosmtpd) that wants a login, and the secrets file
    that names it (``secrets``: the lines of [smtp] after host and port)."""
    mailbox = Mailbox()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, authenticator=_login, **options
    )
    controller.start()
    try:
        path = folder / ".streamlit" / "secrets.toml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\n{secrets}', encoding="utf-8")
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def smtp(digest_ledger, free_tcp_port):
    """No certificate on loopback: STARTTLS is off in the secrets."""
    secrets = (
        "starttls = false\n"
        'user = "lingkaran"\n'
        'password = "s3cret"\n'
        'from = "Lingkaran <digest@lingkaran.example>"\n'
    )
    with smtp_server(digest_ledger, free_tcp_port, secrets, auth_require_tls=False) as mailbox:
        yield mailbox


def body(message, kind: str) -> str:
    return message.get_body(preferencelist=(kind,)).get_content()


def test_the_digest_for_review_has_the_months_figures_by_hand(cli, digest_ledger):
    result = cli("digest", "--month", NOVEMBER, "--link", "https://lingkaran.example")
    assert result.exit_code == 0, result.output
    folder = digest_ledger / "digest-2026-11"
    files = sorted(path.name for path in folder.iterdir())
    # carol opted out; the admin has no donor; dewi is only refused when sending.
    assert files == [
        "2026-11-alice@example.org.eml",
        "2026-11-budi@example.org.eml",
        "2026-11-dewi@example.org.eml",
    ]
    alice = email.message_from_bytes((folder / files[0]).read_bytes(), policy=email.policy.default)
    assert alice["To"] == "alice@example.org"
    assert alice["Subject"] == "Lingkaran monthly digest: November 2026"
    text = body(alice, "plain")
    # Protected: A, B, C, D in October; C, D and A again in November.
    assert "Workers protected: 3 (October 2026: 4; −1)" in text
    # Donated: H4 in October, nothing in November.
    assert f"Donated: {rupiah(0, 'en')} (October 2026: {rupiah(67_200, 'en')}; −" in text
    # Contributions paid from the month a block starts: H1-H3 in October, H4 in November.
    assert (
        f"Contributions paid from donations: {rupiah(67_200, 'en')} "
        f"(October 2026: {rupiah(117_600, 'en')}; −{rupiah(50_400, 'en')})" in text
    )
    assert "Claims paid (incident in the month): 1 (October 2026: 1; no change)" in text
    assert f"Benefits paid: {rupiah(5_000_000, 'en')}" in text
    assert f"+{rupiah(2_000_000, 'en')}" in text
    # After November: D's protection ends 31 December; one block like H4 (4 months).
    assert (
        "Workers whose protection from you ends in the next 60 days: 1 (1 in December 2026)."
        in text
    )
    assert rupiah(4 * 16_800, "en") in text
    assert "https://lingkaran.example/donor?donor=L1&lang=en" in text
    html = body(alice, "html")
    assert "<td>Workers protected</td>" in html
    assert 'href="https://lingkaran.example/donor?donor=L1&amp;lang=en"' in html


def test_the_digest_is_in_each_recipients_language(cli, digest_ledger, monkeypatch):
    monkeypatch.setenv("LINGKARAN_PUBLIC_URL", "https://lingkaran.example/")
    assert cli("digest", "--month", NOVEMBER).exit_code == 0
    budi = email.message_from_bytes(
        (digest_ledger / "digest-2026-11" / "2026-11-budi@example.org.eml").read_bytes(),
        policy=email.policy.default,
    )
    text = body(budi, "plain")
    assert budi["Subject"] == "Ringkasan bulanan Lingkaran: November 2026"
    assert "Pekerja terlindungi: 3 (Oktober 2026: 4; −1)" in text
    assert f"Manfaat dibayarkan: {rupiah(5_000_000, 'id')}" in text
    assert "berakhir dalam 60 hari ke depan: 1 (1 pada Desember 2026)" in text
    assert "Workers protected" not in text
    assert "Halaman donatur Anda: https://lingkaran.example/donor?donor=L1&lang=id" in text


def test_a_donors_name_is_text_in_both_parts(cli, digest_ledger):
    assert cli("digest", "--month", NOVEMBER).exit_code == 0
    alice = email.message_from_bytes(
        (digest_ledger / "digest-2026-11" / "2026-11-alice@example.org.eml").read_bytes(),
        policy=email.policy.default,
    )
    html = body(alice, "html")
    assert "<b>" not in html and "&lt;b&gt;Lapsing&lt;/b&gt; &amp; Co" in html
    assert "www.evil" not in html and "www.evil" not in body(alice, "plain")  # not a link
    assert "PT <b>Lapsing</b> & Co www\u2060.evil.example" in body(alice, "plain")


def test_sent_once_per_address_and_a_refused_one_next_run(cli, smtp, database_url):
    smtp.refuse = {"dewi@example.org"}
    first = cli("digest", "--month", NOVEMBER, "--send")
    assert first.exit_code == 3, first.output
    assert "sent 2, already sent before 0, failed 1" in first.output
    assert "failed: dewi@example.org: refused (550" in first.output
    assert [len(smtp.to(who)) for who in ("alice@example.org", "budi@example.org")] == [1, 1]
    assert smtp.to("dewi@example.org") == [] and smtp.to("carol@example.org") == []

    again = cli("digest", "--month", NOVEMBER, "--send")  # dewi still refused
    assert "sent 0, already sent before 2, failed 1" in again.output
    assert len(smtp.received) == 2

    smtp.refuse = set()
    last = cli("digest", "--month", NOVEMBER, "--send")
    assert last.exit_code == 0, last.output
    assert "sent 1, already sent before 2, failed 0" in last.output
    assert [len(smtp.to(f"{who}@example.org")) for who in ("alice", "budi", "dewi")] == [1, 1, 1]
    (message,) = smtp.to("dewi@example.org")
    assert message["From"] == "Lingkaran <digest@lingkaran.example>"
    assert message["Message-ID"].endswith("@lingkaran.example>")  # the address's domain
    assert "Pekerja terlindungi: 3" in body(message, "plain")

    october = cli("digest", "--month", "2026-10", "--send")  # another month is another digest
    assert "sent 3, already sent before 0" in october.output

    # A run that stopped while sending leaves the address unknown: reported, never resent.
    engine = open_ledger(database_url)
    with engine.begin() as conn:
        conn.execute(
            insert(DigestDelivery).values(
                email="alice@example.org",
                month=month_index(2026, 9),
                status=SENDING,
                at=__import__("datetime").datetime.now(__import__("datetime").UTC),
            )
        )
    september = cli("digest", "--month", "2026-09", "--send")
    assert "unknown: alice@example.org" in september.output
    assert "sent 2," in september.output
    assert len(smtp.to("alice@example.org")) == 2  # November and October only


def test_a_wrong_password_or_no_server_is_reported_and_nothing_is_recorded(
    cli, smtp, digest_ledger
):
    secrets = digest_ledger / ".streamlit" / "secrets.toml"
    secrets.write_text(secrets.read_text().replace("s3cret", "wrong"), encoding="utf-8")
    refused = cli("digest", "--month", NOVEMBER, "--send")
    assert refused.exit_code == 3
    assert "failed 3" in refused.output and "no session with the server" in refused.output
    assert smtp.received == []
    secrets.write_text(secrets.read_text().replace("wrong", "s3cret"), encoding="utf-8")
    assert "sent 3," in cli("digest", "--month", NOVEMBER, "--send").output


def test_smtp_settings_name_what_is_missing():
    with pytest.raises(Exception, match=r"no \[smtp\] table"):
        SmtpSettings.from_secrets({})
    with pytest.raises(Exception, match="lacks port, from"):
        SmtpSettings.from_secrets({"smtp": {"host": "mail.example"}})
    with pytest.raises(Exception, match="port is not a number"):
        SmtpSettings.from_secrets({"smtp": {"host": "h", "port": "x", "from": "a@b"}})
    settings = SmtpSettings.from_secrets({"smtp": {"host": "h", "port": "587", "from": "a@b"}})
    assert (settings.port, settings.starttls, settings.user) == (587, True, None)


def test_the_setting_defaults_to_indonesian_and_receiving(engine):
    assert digest_setting(engine, "New@Example.org") == ("id", True)
    assert set_digest(engine, "new@example.org", receives=False) == ("id", False)
    assert set_digest(engine, "NEW@example.org ", language="en") == ("en", False)
    assert digest_setting(engine, "new@example.org") == ("en", False)
    with pytest.raises(Exception, match="not 'fr'"):
        set_digest(engine, "new@example.org", language="fr")


def test_a_month_that_is_not_one_is_refused(cli, digest_ledger):
    result = cli("digest", "--month", "2026-13")
    assert result.exit_code == 2 and "'2026-13': no such month" in result.output
    assert not (Path(digest_ledger) / "digest-2026-13").exists()


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made for this test only."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp.crt", folder / "smtp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_starttls_and_login_on_a_server_that_requires_them(
    cli, digest_ledger, monkeypatch, free_tcp_port
):
    """The default: STARTTLS with the certificate verified (here one the test made, trusted
    through SSL_CERT_FILE as a company's own CA would be), then the login."""
    import ssl

    cert_path, key_path = _certificate(digest_ledger)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    secrets = 'user = "lingkaran"\npassword = "s3cret"\nfrom = "digest@lingkaran.example"\n'
    with smtp_server(
        digest_ledger,
        free_tcp_port,
        secrets,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
    ) as mailbox:
        untrusted = cli("digest", "--month", NOVEMBER, "--send")  # not yet trusted: refused
        assert untrusted.exit_code == 3 and "CERTIFICATE_VERIFY_FAILED" in untrusted.output
        assert mailbox.received == []
        monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
        sent = cli("digest", "--month", NOVEMBER, "--send")
        assert sent.exit_code == 0, sent.output
        assert "sent 3, already sent before 0, failed 0" in sent.output
        assert len(mailbox.received) == 3
