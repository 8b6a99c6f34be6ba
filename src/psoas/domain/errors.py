"""Problems with what was sent, named by field: structured (:class:`Problem`, raised together
as :class:`InputError`) and as one plain line each, starting with the dotted path of the field
(``pain.intensity_now: must be at most 10``), for every surface and every kind of document.
Each surface formats them its own way; the web app answers every 422 with the same
``{"detail": [{"field": ..., "message": ...}]}``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "string_type": "must be text",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "datetime_type": "must be a date and time with a time zone (ISO 8601)",
    "datetime_parsing": "must be a date and time with a time zone (ISO 8601)",
    "datetime_from_date_parsing": "must be a date and time with a time zone (ISO 8601)",
    "datetime_object_invalid": "must be a date and time with a time zone (ISO 8601)",
}


def _path(loc: Sequence[int | str]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif "[" in part or part.startswith(("function-", "constrained-")):
            continue  # pydantic's tags for unions and wrapped validators, not field names
        else:
            parts.append(("." if parts else "") + part)
    return "".join(parts) or "(document)"


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _message(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in ("less_than_equal", "less_than"):
        return f"must be at most {_number(ctx.get('le', ctx.get('lt')))}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {_number(ctx.get('ge', ctx.get('gt')))}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}"
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length')} item(s)"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} item(s)"
    if kind == "string_too_short":
        return f"must be at least {ctx.get('min_length')} character(s)"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx.get('pattern')}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return _MESSAGES.get(kind, str(error["msg"]).lower())


def describe_errors(error: ValidationError, *, extra: str | None = None) -> list[str]:
    """One line per problem; ``extra`` replaces the message for unknown fields."""
    lines: list[str] = []
    for err in error.errors():
        message = _message(err)
        if extra and err["type"] == "extra_forbidden":
            message = extra
        line = f"{_path(err['loc'])}: {message}"
        if line not in lines:
            lines.append(line)
    return lines


@dataclass(frozen=True)
class Problem:
    """One thing wrong with what was sent: the field (a dotted path) and what to fix."""

    field: str
    message: str


class InputError(ValueError):
    """Input that cannot be used; ``problems`` names every offending field. Nothing was saved."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))


def problems_from_lines(lines: Iterable[str], *, document: str = "(document)") -> list[Problem]:
    """``"pain.intensity_now: must be at most 10"`` lines as problems; a problem with the whole
    document is filed under ``document``."""
    out = []
    for line in lines:
        field, sep, message = line.partition(": ")
        if not sep:
            field, message = "(document)", line
        out.append(Problem(document if field == "(document)" else field, message))
    return out


def problems_of(errors: Iterable[Any], *, drop: Iterable[str] = ()) -> list[Problem]:
    """Pydantic's error entries as problems, leaving out the leading location parts in
    ``drop`` (a web request's ``body``, ``query`` or ``path``)."""
    skip = set(drop)
    out: list[Problem] = []
    for err in errors:
        loc = list(err.get("loc", ()))
        while loc and loc[0] in skip:
            loc.pop(0)
        problem = Problem(_path(loc), _message(err))
        if problem not in out:
            out.append(problem)
    return out


class Refused(InputError):
    """A change that cannot be made; each problem given as a ``"field: what is wrong"`` line
    (kept as ``lines`` for a page that lists them)."""

    def __init__(self, lines: list[str]):
        super().__init__(problems_from_lines(lines))
        self.lines = lines


# --- documents -----------------------------------------------------------------------------------

#: How deeply a document may nest: far beyond any real intake (about 4), far below the
#: interpreter's recursion limit.
MAX_DEPTH = 32


def _depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than ``limit`` (a linear scan)."""
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def _nul_problems(data: Any, loc: tuple[int | str, ...] = ()) -> list[Problem]:
    if isinstance(data, str):
        return (
            [Problem(_path(loc) or "(document)", "must not contain a NUL character")]
            if ("\x00" in data)
            else []
        )
    if isinstance(data, dict):
        out: list[Problem] = []
        for key, value in data.items():
            if "\x00" in str(key):
                out.append(Problem(_path(loc) or "(document)", "has a field name with a NUL"))
            out += _nul_problems(value, (*loc, str(key)))
        return out
    if isinstance(data, list):
        return [p for i, value in enumerate(data) for p in _nul_problems(value, (*loc, i))]
    return []


def load_document(raw: str | bytes) -> Any:
    """A JSON document, or :class:`InputError` naming what is wrong: not JSON, nested deeper
    than :data:`MAX_DEPTH`, a number too long to read (over 4,300 digits), or a NUL character in
    any text (PostgreSQL cannot store one), each with the field it is in."""
    import json

    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise InputError([Problem("(document)", "must be UTF-8 text")]) from exc
    if _depth_exceeds(text, MAX_DEPTH):
        raise InputError([Problem("(document)", f"must not nest deeper than {MAX_DEPTH} levels")])
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Problem("(document)", "not valid JSON")]) from exc
    except ValueError as exc:  # an integer too long to convert
        raise InputError([Problem("(document)", "has a number too long to read")]) from exc
    nul = _nul_problems(data)
    if nul:
        raise InputError(nul)
    return data
