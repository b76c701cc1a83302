"""Memberships through `lingkaran users`: added, listed, removed, each change in words."""

from __future__ import annotations

from sqlalchemy import insert

from dashboard.ledger.schema import Donor


def test_the_users_cli_adds_lists_and_removes(cli, engine):
    with engine.begin() as conn:
        conn.execute(
            insert(Donor).values(donor_id="D1", name="PT Satu", type="corporate", show_name=True)
        )
    assert "is now a user of D1" in cli("users", "add", "Ana@Example.org", "--donor", "D1").output
    assert "already is" in cli("users", "add", "ana@example.org", "--donor", "D1").output
    assert cli("users", "add", "ana@example.org").exit_code == 2  # neither --donor nor --admin
    assert "no donor with id 'D9'" in cli("users", "add", "x@example.org", "--donor", "D9").output
    assert cli("users", "add", "boss@example.org", "--admin").exit_code == 0
    listed = cli("users", "list").output.splitlines()
    assert listed == ["ana@example.org\tdonor\tD1", "boss@example.org\tadmin\t*"]
    assert "removed 1" in cli("users", "remove", "ana@example.org").output
    assert cli("users", "list").output.splitlines() == ["boss@example.org\tadmin\t*"]
