"""Who may see which donor's private data: memberships, roles and the modes of the app.

Every query of ``queries.donor`` takes an ``Access`` and refuses a donor outside it, so a
page cannot show another donor's ledger whatever ids are put in its URL. Demo mode (the
``lingkaran demo`` command) lets anyone pick any donor, under a visible banner; production
mode (the default) needs a login whose verified e-mail has a membership.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select

from dashboard.core.errors import LedgerError
from dashboard.ledger.schema import Donor, Membership

MODE_VARIABLE = "LINGKARAN_MODE"
DEMO, PRODUCTION = "demo", "production"
ROLES = ("donor", "admin")


# Issuers (the ID token's ``iss``) whose every e-mail address is verified by the provider
# itself although its tokens carry no ``email_verified`` claim (Microsoft Entra, a company's
# own Keycloak): comma-separated, set by whoever deploys. Nobody is trusted by default.
VERIFIED_ISSUERS_VARIABLE = "LINGKARAN_VERIFIED_EMAIL_ISSUERS"


def verified_email(claims) -> str | None:
    """The e-mail of a signed-in user if it may open donor pages, else None.

    Trusted: ``email_verified`` is the JSON boolean true; or the claim is absent and the
    token's issuer is listed in LINGKARAN_VERIFIED_EMAIL_ISSUERS. Anything else, including
    the string "true", a missing claim from an unlisted issuer, or ``false``, is not.
    """
    email = claims.get("email")
    if not email or not isinstance(email, str):
        return None
    verified = claims.get("email_verified")
    if verified is True:
        return email
    if verified is None:
        trusted = {
            issuer.strip().rstrip("/")
            for issuer in os.environ.get(VERIFIED_ISSUERS_VARIABLE, "").split(",")
            if issuer.strip()
        }
        issuer = str(claims.get("iss") or "").strip().rstrip("/")
        if issuer and issuer in trusted:
            return email
    return None


class AccessDenied(PermissionError):
    """The caller may not see this donor's data (or the admin console)."""


@dataclass(frozen=True)
class Access:
    """The donors a caller may see: ``donor_ids`` None means every donor."""

    who: str
    donor_ids: frozenset[str] | None
    admin: bool = False

    @classmethod
    def everything(cls, who: str, *, admin: bool = False) -> Access:
        return cls(who, None, admin)

    def allows(self, donor_id: str) -> bool:
        return self.donor_ids is None or donor_id in self.donor_ids

    def require(self, donor_id: str) -> None:
        if not self.allows(donor_id):
            raise AccessDenied(f"{self.who} may not see donor {donor_id!r}")


NOBODY = Access("anonymous visitor", frozenset())
OPERATOR = Access.everything("operator (command line)", admin=True)


def mode() -> str:
    """``demo`` or ``production`` (the default outside `lingkaran demo`)."""
    value = os.environ.get(MODE_VARIABLE, PRODUCTION).strip().lower()
    return DEMO if value == DEMO else PRODUCTION


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 320 or any(c.isspace() for c in email):
        raise LedgerError(f"not an e-mail address: {email!r}")
    return email


def access_for(bind: Engine | Connection, email: str) -> Access:
    """What the holder of ``email`` (verified by the identity provider) may see."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return access_for(conn, email)
    email = normalise_email(email)
    rows = bind.execute(
        select(Membership.role, Donor.donor_id)
        .outerjoin(Donor, Donor.id == Membership.donor_key)
        .where(Membership.email == email)
    ).all()
    if any(role == "admin" for role, _ in rows):
        return Access.everything(email, admin=True)
    return Access(email, frozenset(donor_id for role, donor_id in rows if donor_id))
