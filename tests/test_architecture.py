"""The packages keep their one-way order and no import circle (pyproject.toml's import-linter
contracts; docs/architecture.md describes the packages)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"


def test_each_package_imports_only_the_layers_below_it_and_no_circle(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True) == 0


def test_the_check_sees_an_import_against_the_order(monkeypatch, tmp_path):
    """The control: the same tool with two layers swapped finds the ledger importing core."""
    monkeypatch.chdir(ROOT)
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    swapped = tmp_path / "swapped.ini"
    swapped.write_text(
        "[importlinter]\nroot_packages =\n    "
        + "\n    ".join(config["root_packages"])
        + "\n\n[importlinter:contract:swapped]\nname = swapped\ntype = layers\n"
        + "layers =\n    dashboard.core\n    dashboard.ledger\n"
    )
    assert lint_imports(config_filename=str(swapped), no_cache=True, no_logo=True) == 1


def test_the_documented_order_is_the_checked_order():
    layers = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"][0]
    documented = (ROOT / "docs" / "architecture.md").read_text()
    order = " → ".join(f"`{layer}`" for layer in reversed(layers["layers"]))
    assert order in documented
