"""The documents say what the code does."""

from __future__ import annotations

import re

from psoas.cli.app import app
from psoas.services.rules_doc import render
from tests.conftest import ROOT


def test_clinical_rules_document_is_generated_from_the_code() -> None:
    committed = (ROOT / "docs" / "clinical-rules.md").read_text()
    assert committed == render(), "run `make docs` and commit docs/clinical-rules.md"


def test_readme_first_screen_has_the_two_commands() -> None:
    first_screen = "\n".join((ROOT / "README.md").read_text().splitlines()[:30])
    assert "make demo" in first_screen
    assert "make test" in first_screen


def test_ci_runs_the_readme_test_command() -> None:
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]  # type: ignore[union-attr]
    for group in app.registered_groups:
        assert group.typer_instance is not None
        commands += [f"{group.name} {c.name}" for c in group.typer_instance.registered_commands]
    for name in commands:
        assert f"psoas {name}" in readme, name


def test_every_setting_is_documented_in_the_readme() -> None:
    """Each field of the settings is an environment variable a person may need to set."""
    from psoas.settings import Settings

    readme = (ROOT / "README.md").read_text()
    prefix = Settings.model_config.get("env_prefix", "")
    missing = [
        f"{prefix}{name}".upper()
        for name in Settings.model_fields
        if f"{prefix}{name}".upper() not in readme
    ]
    assert not missing, f"document these settings in README.md: {missing}"
