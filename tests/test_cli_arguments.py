"""Every `grassroots` subcommand answers a bad argument with one Vietnamese line and exit status 2
(issue 12 §8: `figures --unit NOPE`, `units --under NOPE` and a bad `--at` printed a traceback)."""

import re

import pytest
from django.core.management import get_commands, load_command_class

from grassroots.core.cli import CommandLine
from grassroots.organizations.models import Kind

from .factories import unit

pytestmark = pytest.mark.django_db

GOOD = "2020-01-01"
BAD_DATE = "2020-13-45"
# The arguments each command needs around the one under test; the rest get only the bad one
# (and must still answer in one Vietnamese line: "Lệnh này không có tham số: --unit NOPE").
BAD_UNIT = {
    "figures": ["--unit", "NOPE", "--at", GOOD],
    "units": ["--at", GOOD, "--under", "NOPE"],
    "assessment-summary": ["--unit", "NOPE", "--year", "2019"],
    "candidates": ["--unit", "NOPE"],
    "cascade": ["--document", "22-NQ/TW", "--unit", "NOPE", "--at", GOOD],
    "documents": ["--unit", "NOPE"],
    "development-summary": ["--unit", "NOPE", "--at", GOOD],
    "export": ["members", "out.xlsx", "--unit", "NOPE"],
    "report": ["review", "--unit", "NOPE", "--since", "2019-01-01", "--at", GOOD, "--out", "x.pdf"],
    "statistics": ["members", "--unit", "NOPE", "--at", GOOD, "--by", "gender"],
    "cadre-standards": ["--unit", "NOPE", "--at", GOOD],
    "training-summary": ["--unit", "NOPE", "--from", "2019-01-01", "--to", GOOD],
    "createadmin": ["--username", "x", "--scope", "NOPE", "--password", "Mat-khau-dai-12"],
}
BAD_AT = {
    "figures": ["--unit", "P", "--at", BAD_DATE],
    "units": ["--at", BAD_DATE],
    "candidates": ["--unit", "P", "--at", BAD_DATE],
    "cascade": ["--document", "22-NQ/TW", "--unit", "P", "--at", BAD_DATE],
    "development-summary": ["--unit", "P", "--at", BAD_DATE],
    "export": ["members", "out.xlsx", "--unit", "P", "--at", BAD_DATE],
    "report": [
        "review",
        "--unit",
        "P",
        "--since",
        "2019-01-01",
        "--at",
        BAD_DATE,
        "--out",
        "x.pdf",
    ],
    "statistics": ["members", "--unit", "P", "--at", BAD_DATE, "--by", "gender"],
    "cadre-standards": ["--unit", "P", "--at", BAD_DATE],
    "training-summary": ["--unit", "P", "--from", "2019-01-01", "--to", BAD_DATE],
}
OURS = sorted(name for name, app in get_commands().items() if app.startswith("grassroots."))


@pytest.fixture
def quiet_connections(monkeypatch):
    # run_from_argv closes the connections as the process ends; the test's transaction stays.
    import grassroots.core.cli as cli

    monkeypatch.setattr(cli.connections, "close_all", lambda: None)


def run(name: str, argv: list[str], capsys) -> tuple[int, list[str], str]:
    command = load_command_class(get_commands()[name], name)
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["grassroots", name, *argv])
    out, err = capsys.readouterr()
    return exited.value.code, err.splitlines(), out


def test_every_subcommand_is_ours():
    assert len(OURS) >= 20 and {"figures", "units", "export", "report"} <= set(OURS)
    for name in OURS:
        command = load_command_class(get_commands()[name], name)
        assert isinstance(command, CommandLine), f"grassroots {name} must use core.cli"


def _one_vietnamese_line(code, lines, out, bad: str | None, name: str):
    assert code == 2, (name, code, lines)
    assert len(lines) == 1 and lines[0].startswith("Lỗi: "), (name, lines)
    assert bad is None or bad in lines[0], (name, lines)
    assert "Traceback" not in lines[0] and "error:" not in lines[0] and out == ""
    assert re.search("[àáảãạăâđêôơưếềệốồộớờợứừự]", lines[0].lower()), (name, lines)


@pytest.mark.parametrize("name", OURS)
def test_bad_unit_and_bad_date(name, capsys, quiet_connections):
    unit("P", Kind.PROVINCE, name="Tỉnh")
    # The commands that take an organization or a date must name the bad value; the others
    # answer that they have no such option (or lack their own required arguments).
    code, lines, out = run(name, BAD_UNIT.get(name, ["--unit", "NOPE"]), capsys)
    _one_vietnamese_line(code, lines, out, "NOPE" if name in BAD_UNIT else None, name)
    code, lines, out = run(name, BAD_AT.get(name, ["--at", BAD_DATE]), capsys)
    _one_vietnamese_line(code, lines, out, BAD_DATE if name in BAD_AT else None, name)


def test_the_messages_say_what_is_wrong(capsys, quiet_connections):
    unit("P", Kind.PROVINCE, name="Tỉnh")
    assert run("figures", BAD_UNIT["figures"], capsys)[1] == ["Lỗi: Không có tổ chức mã NOPE"]
    assert run("units", BAD_AT["units"], capsys)[1] == [
        "Lỗi: Ngày không hợp lệ: '2020-13-45' (dùng YYYY-MM-DD hoặc dd/mm/yyyy)"
    ]
    assert run("figures", ["--at", GOOD], capsys)[1] == ["Lỗi: Thiếu tham số bắt buộc: --unit"]
    assert run("export", ["nope", "x.xlsx", "--unit", "P"], capsys)[1][0].startswith(
        "Lỗi: what: không có lựa chọn 'nope'"
    )
