"""The ``psoas`` command run in this process, for tests about what it does with the data.

Start-up, exit status and the split of standard output and standard error in a real process
are proved once, in tests/integration/test_cli.py; tests that only need what a command prints
or stores run it here, which saves a Python start-up (and the imports) per call.
"""

from __future__ import annotations

from dataclasses import dataclass

from typer.testing import CliRunner

from psoas.cli.app import app


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def invoke(
    *args: str, env: dict[str, str | None] | None = None, stdin: str | None = None
) -> Outcome:
    """Run ``psoas ARGS`` in-process with ``env`` added to the environment (None removes a
    variable). An exception the
    command did not turn into an exit status is raised here, as a traceback would be."""
    result = CliRunner().invoke(app, list(args), input=stdin, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr)
