"""Validators: one exception type, and messages that name the field, the bad value and what is allowed.

>>> try:
...     check_number("esr", 250, "mm/h")
... except CaseError as err:
...     print(err)
esr: 250 mm/h is outside the allowed range (0 to 200 mm/h)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import numpy as np

from b12logic.fields import (
    FALSE_WORDS,
    FIELDS,
    PREGNANCY_AGES,
    RISK_FACTORS,
    SEX_ALIASES,
    TRUE_WORDS,
    format_value,
)
from b12logic.units import canonical_unit

# A plain decimal number, as a laboratory export or a URL writes it. Shared with the batch reader so
# both accept exactly the same strings (Python's float() would also take "1_000" or "nan").
# ASCII digits only: Python's \d also matches Arabic-Indic or full-width digits, which float() reads but
# pandas does not, so the batch reader would call such an MMA "not measured" while Case read it as a number.
NUMBER_PATTERN = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_NUMBER_RE = re.compile(NUMBER_PATTERN)


def normalise_decimal_comma(text: str) -> str:
    """'12,5' -> '12.5' (one comma, no dot); anything else unchanged."""
    return text.replace(",", ".") if text.count(",") == 1 and "." not in text else text


class CaseError(ValueError):
    """A case input is missing, malformed or out of range. `field` names the input."""

    def __init__(self, field: str, value: object, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


def range_message(name: str, value: object, unit: str | None = None) -> str:
    """The one wording of an out-of-range message, shared by Case, the batch reader and the URL parser."""
    spec = FIELDS[name]
    unit = unit or spec.default_unit
    shown = format_value(value) + (f" {unit}" if unit and isinstance(value, (int, float)) else "")
    hint = _unit_hint(name, value, unit)
    return f"{name}: {shown} is outside the allowed range ({spec.allowed_range(unit)}){hint}"


def _unit_hint(name: str, value: object, unit: str) -> str:
    """Suggest the other unit when the number fits it: a common slip with Hb and MMA."""
    if not isinstance(value, (int, float)) or math.isnan(value) or math.isinf(value):
        return ""
    spec = FIELDS[name]
    for other in spec.units:
        if other != unit and spec.limits[other].contains(value):
            return f"; did you mean {other}?"
    return ""


def check_number(name: str, raw: object, unit: str | None = None) -> float:
    """A finite number inside the field's hard limits, or CaseError."""
    spec = FIELDS[name]
    unit = unit or spec.default_unit
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        raise CaseError(name, raw, f"{name}: missing; it is required ({spec.allowed_range(unit)})")
    if isinstance(raw, (bool, np.bool_)):  # numpy's bool too: a cell read from a frame, not 0 or 1 mm/h
        raise CaseError(name, raw, f"{name}: {format_value(raw)} is not a number ({spec.allowed_range(unit)})")
    if isinstance(raw, str):
        text = normalise_decimal_comma(raw.strip())
        if not _NUMBER_RE.fullmatch(text):
            raise CaseError(name, raw, f"{name}: {format_value(raw)} is not a number ({spec.allowed_range(unit)})")
        value = float(text)
    else:
        try:
            value = float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise CaseError(
                name, raw, f"{name}: {format_value(raw)} is not a number ({spec.allowed_range(unit)})"
            ) from None
        except OverflowError:  # an int too large for a float (10**400) is outside every range
            raise CaseError(
                name, raw, f"{name}: {format_value(raw)} is outside the allowed range ({spec.allowed_range(unit)})"
            ) from None
    if math.isnan(value) or math.isinf(value):
        raise CaseError(name, raw, f"{name}: {format_value(value)} is not a finite number ({spec.allowed_range(unit)})")
    if not spec.limits[unit].contains(value):
        raise CaseError(name, raw, range_message(name, value, unit))
    return value


def check_optional_number(name: str, raw: object, unit: str | None = None) -> float | None:
    """Like check_number, but None or a blank string means "not measured"."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    return check_number(name, raw, unit)


def check_unit(name: str, raw: object) -> str:
    """A unit the field accepts, in its canonical spelling."""
    spec = FIELDS[name]
    unit = canonical_unit(str(raw)) if raw is not None else None
    if unit is None or unit not in spec.units:
        allowed = ", ".join(spec.units)
        raise CaseError(f"{name}_unit", raw, f"{name}_unit: {format_value(raw)} is not a known unit (one of {allowed})")
    return unit


def check_sex(raw: object) -> str:
    """female or male (accepts F/M and any case)."""
    sex = SEX_ALIASES.get(str(raw).strip().lower()) if isinstance(raw, str) else None
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        raise CaseError("sex", raw, "sex: missing; it is required (one of female, male, F, M)")
    if sex is None:
        raise CaseError("sex", raw, f"sex: {format_value(raw)} is not accepted (one of female, male, F, M)")
    return sex


def check_flag(name: str, raw: object) -> bool:
    """A yes/no answer: bool, 0/1, or yes/no/true/false/y/n (blank = no)."""
    if isinstance(raw, (bool, np.bool_)):
        return bool(raw)
    if raw is None:
        return False
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise CaseError(name, raw, f"{name}: {format_value(raw)} is not yes or no (yes/no/true/false/y/n/1/0)")


def check_risk_factors(raw: object) -> frozenset[str]:
    """Known risk-factor ids, from an iterable or a comma-separated string."""
    if raw is None:
        return frozenset()
    items: Iterable[object] = raw.split(",") if isinstance(raw, str) else raw  # type: ignore[assignment]
    try:
        ids = frozenset(str(item).strip() for item in items if str(item).strip())
    except TypeError:
        raise CaseError(
            "risk_factors", raw, f"risk_factors: {format_value(raw)} is not a list of risk factors"
        ) from None
    unknown = sorted(ids - RISK_FACTORS.keys())
    if unknown:
        allowed = ", ".join(RISK_FACTORS)
        raise CaseError(
            "risk_factors", raw, f"risk_factors: {format_value(unknown[0])} is not known (any of {allowed})"
        )
    return ids


def check_pregnancy(pregnant: bool, sex: str, age: float) -> None:
    """Pregnancy only for women aged 16 to 55 (checked after sex, age and the flag themselves).

    >>> check_pregnancy(True, "male", 30)
    Traceback (most recent call last):
    ...
    b12logic.validate.CaseError: pregnant: yes is not accepted for a man (only for women aged 16 to 55)
    """
    if not pregnant:
        return
    low, high = PREGNANCY_AGES
    if sex != "female":
        raise CaseError("pregnant", pregnant, f"pregnant: yes is not accepted for a man ({pregnancy_range()})")
    if not low <= age <= high:
        raise CaseError(
            "pregnant",
            pregnant,
            f"pregnant: yes is not accepted for a woman aged {format_value(age)} ({pregnancy_range()})",
        )


def pregnancy_range() -> str:
    low, high = PREGNANCY_AGES
    return f"only for women aged {format_value(low)} to {format_value(high)}"
