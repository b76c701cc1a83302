"""queries.admin: the import and audit logs the admin console shows, newest first."""

from __future__ import annotations

from dashboard.accounts.memberships import audit
from dashboard.ledger.importer import file_sha256
from queries import admin
from tests.ledgers import import_all, worked_example


def test_the_import_log_lists_each_accepted_file_newest_first(cli, engine, tmp_path):
    files = worked_example(tmp_path)
    import_all(cli, files)
    assert cli("import", "donors", files["donors"]).exit_code == 0  # again: 0 new, 1 unchanged

    log = admin.import_log(engine)

    assert log["kind"].tolist()[:2] == ["donors", "claims"]
    newest = log.iloc[0]
    assert (newest["new"], newest["updated"], newest["unchanged"]) == (0, 0, 1)
    assert newest["sha256"] == file_sha256(files["donors"])
    assert len(log) == len(files) + 1
    assert admin.import_log(engine, limit=2)["kind"].tolist() == ["donors", "claims"]


def test_the_audit_log_shows_who_did_what_newest_first(engine):
    audit(engine, "boss@example.org", "allocate", "3 coverage rows created")
    audit(engine, "ops@example.org", "import", "donors D.csv: 1 new", "ab" * 32)

    log = admin.audit_log(engine)

    assert log[["who", "action"]].values.tolist() == [
        ["ops@example.org", "import"],
        ["boss@example.org", "allocate"],
    ]
    assert log["sha256"].iloc[0] == "ab" * 32 and log["sha256"].isna().tolist() == [False, True]
