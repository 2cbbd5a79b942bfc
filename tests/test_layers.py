"""The layers of docs/architecture.md hold, every module has a layer, and the check bites.

The contracts live in pyproject.toml ([tool.importlinter]); `python3 dev.py test` runs
`lint-imports` next to ruff. These tests run it too, on the real code and on a copy of the
package with one forbidden import added, so a contract that no longer catches anything fails.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _layers() -> list[list[str]]:
    contract = next(c for c in CONFIG["contracts"] if c["id"] == "layers")
    return [
        [name.strip() for name in layer.replace("|", ":").split(":")]
        for layer in contract["layers"]
    ]


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), "--no-cache", str(ROOT / "pyproject.toml")],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy_package(tmp_path: Path) -> Path:
    """The grassroots package's Python files (what import-linter reads), outside the project."""
    shutil.copytree(
        ROOT / "grassroots",
        tmp_path / "grassroots",
        ignore=shutil.ignore_patterns("templates", "static", "locale", "__pycache__", "*.mo"),
    )
    return tmp_path


def test_the_code_keeps_the_layers():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_module_is_in_a_layer():
    """A new module must be placed (in pyproject.toml) before it can go unchecked."""
    placed = [name for layer in _layers() for name in layer]
    graph = grimp.build_graph("grassroots", cache_dir=None)
    unplaced = sorted(
        module
        for module in graph.modules
        if module != "grassroots"
        and ".migrations" not in module
        and graph.find_children(module) == set()  # a module, not a package
        and not any(module == p or module.startswith(p + ".") for p in placed)
    )
    assert unplaced == [], f"modules without a layer in pyproject.toml: {unplaced}"


@pytest.mark.parametrize(
    ("module", "forbidden", "contract"),
    [
        # core must not know the apps
        ("core/text.py", "from grassroots.organizations.models import Unit", "Layers"),
        # a domain's services must not reach into another's (that is what restructure is for)
        (
            "organizations/services.py",
            "from grassroots.members.services import member_record_event",
            "Layers",
        ),
        # derived data never calls a writer
        ("derived/ledger.py", "from grassroots.members import services", "Layers"),
        # nor does a part of it call the door the writers use
        ("derived/closure.py", "from grassroots.derived import maintain", "Derived data"),
    ],
)
def test_a_forbidden_import_breaks_the_contract(tmp_path, module, forbidden, contract):
    root = _copy_package(tmp_path)
    path = root / "grassroots" / module
    # At function level too: hiding an import in a function does not hide it from the check.
    path.write_text(path.read_text() + f"\n\ndef _sneaky():\n    {forbidden}  # noqa\n")
    result = _lint(root)
    assert result.returncode != 0
    assert f"{contract}" in result.stdout and "BROKEN" in result.stdout
    assert "grassroots." + module.removesuffix(".py").replace("/", ".") in result.stdout
