"""Small helpers shared by the `grassroots` subcommands, and their common base class.

Every subcommand derives from `Command` (or mixes in `CommandLine`): a bad argument — an unknown
organization code, a date that is not one, an option the command does not have — ends with one
Vietnamese line on stderr and exit status 2, never a Python traceback (issue 12 §8). Django's
own handling prints "CommandError: …" only for errors raised inside `handle`; errors raised while
the arguments are parsed (a `type=` function looking a code up) escaped it as a traceback, and
argparse's messages are English. `--traceback` still shows the stack for developers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    SystemCheckError,
    handle_default_options,
)
from django.db import connections

USAGE_EXIT = 2  # the Unix convention for a command-line usage error (argparse's too)


class BadArgument(CommandError):
    """A value given on the command line that cannot be used: exit status 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=USAGE_EXIT)


def date_arg(value: str) -> dt.date:
    """YYYY-MM-DD (as documented) or dd/mm/yyyy."""
    for parse in (dt.date.fromisoformat, lambda v: dt.datetime.strptime(v, "%d/%m/%Y").date()):
        try:
            return parse(value)
        except ValueError:
            continue
    raise BadArgument(f"Ngày không hợp lệ: {value!r} (dùng YYYY-MM-DD hoặc dd/mm/yyyy)")


def number(value: int | float | None, decimals: int = 0) -> str:
    """61.491 and 8,9 — Vietnamese grouping and decimal comma."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")


def dumps(payload) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2)


# argparse's English messages → Vietnamese (the patterns of Python 3.11–3.13's argparse).
_ARGPARSE = [
    (r"the following arguments are required: (.*)", "Thiếu tham số bắt buộc: {0}"),
    (r"unrecognized arguments: (.*)", "Lệnh này không có tham số: {0}"),
    (r"one of the arguments (.*) is required", "Cần một trong các tham số: {0}"),
    (
        r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)",
        "{0}: không có lựa chọn {1} (chọn một trong: {2})",
    ),
    (r"argument (\S+): invalid (\w+) value: (.*)", "{0}: giá trị không hợp lệ: {2}"),
    (r"argument (\S+): expected one argument", "{0}: thiếu giá trị"),
    (r"argument (\S+): expected (.*)", "{0}: thiếu giá trị"),
    (r"argument (\S+): not allowed with argument (\S+)", "{0}: không dùng cùng {1}"),
    (r"argument (\S+): ignored explicit argument (.*)", "{0}: không nhận giá trị {1}"),
    (r"ambiguous option: (\S+) could match (.*)", "Tham số {0} không rõ: có thể là {1}"),
    (r"argument (\S+): (.*)", "{0}: {1}"),
]


def vietnamese_usage(message: str) -> str:
    for pattern, text in _ARGPARSE:
        found = re.fullmatch(pattern, message.strip(), flags=re.DOTALL)
        if found:
            return text.format(*found.groups())
    return f"Tham số không hợp lệ: {message}"


class Parser(CommandParser):
    """argparse's parser with Vietnamese errors raised as `BadArgument` (never printed and
    exited from inside argparse, which would add an English usage block)."""

    def error(self, message):
        raise BadArgument(vietnamese_usage(message))


def _vietnamese_parsers(parser) -> None:
    parser.__class__ = Parser
    for action in parser._actions:  # subcommands' parsers (`report review`, `statistics members`)
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _vietnamese_parsers(sub)


def one_line(error: Exception) -> str:
    return " ".join(str(error).split()) or error.__class__.__name__


class CommandLine:
    """Mixin for a management command (before Django's class in the bases)."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        _vietnamese_parsers(parser)
        return parser

    def run_from_argv(self, argv):
        """Django's run_from_argv, with parsing inside the error handling and one line out."""
        self._called_from_command_line = True
        try:
            parser = self.create_parser(argv[0], argv[1])
            options = parser.parse_args(argv[2:])
            cmd_options = vars(options)
            args = cmd_options.pop("args", ())
            handle_default_options(options)
            self.execute(*args, **cmd_options)
        except CommandError as error:
            if "--traceback" in argv:
                raise
            if isinstance(error, SystemCheckError):  # formats its own lines, like Django
                sys.stderr.write(f"{error}\n")
            else:
                sys.stderr.write(f"Lỗi: {one_line(error)}\n")
            sys.exit(error.returncode)
        finally:
            try:
                connections.close_all()
            except ImproperlyConfigured:  # no settings yet: nothing to close (as Django)
                pass


class GrassrootsCommand(CommandLine, BaseCommand):
    """Base class of every `grassroots` subcommand."""
