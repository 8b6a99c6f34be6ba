"""What every command shares: output formats, the profile option, JSON output, failing well."""

from __future__ import annotations

import enum
import json
from typing import Annotated, Any

import typer


class Format(enum.StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="text for people, json for scripts")
]
ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        "-p",
        help="whose records (default: $PSOAS_PROFILE, or 'me')",
        show_default=False,
    ),
]


def profile_name(given: str | None) -> str:
    if given:
        return given
    from psoas.settings import Settings

    return Settings().profile


def echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def fail(lines: list[str], code: int = 2) -> typer.Exit:
    """Print each problem on standard error; the caller raises the returned Exit."""
    for line in lines:
        typer.echo(line, err=True)
    return typer.Exit(code)
