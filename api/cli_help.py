"""The help pages of `eventgraph`: plain text, each value named as a user types it.

Typer writes a parameter's Python type beside it (`--help <bool>`, `paths... <list[Path]>`);
with `Command` (and `rich_markup_mode=None`, whose help lists a flag without a type) an
argument is named by its metavar (`PATH...`) in the usage line and in its list, and an option
by the metavar it is declared with (`--load PATH`).
"""

from typing import Any

from typer.core import TyperArgument, TyperCommand

PLAIN_HELP: dict[str, Any] = {"rich_markup_mode": None}
"""The settings of every `typer.Typer` of the command."""


def value_name(argument: TyperArgument) -> str:
    """`PATH...`: the argument's metavar (else its name in capitals), "..." when it repeats."""
    name = argument.metavar or (argument.name or "").upper()
    return name + ("..." if argument.nargs != 1 else "")


class Command(TyperCommand):
    """A command whose help names arguments by `value_name`, without their Python types."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = value_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, TyperArgument):
                arguments.append((value_name(param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
