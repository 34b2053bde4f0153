"""b12logic: the pure clinical engine of the B12 × ESR explainer (no streamlit, no plotly).

>>> from b12logic import Case, evaluate
>>> evaluate(Case(age=68, sex="female", b12=179, esr=30), guideline="source").b12_status
'deficient'
"""

from b12logic.case import Case
from b12logic.engine import B12_STATUSES, REGIMENS, Assessment, Pitfall, evaluate
from b12logic.esr import ESR_FLAGS
from b12logic.guidelines import PROFILES, GuidelineProfile, custom_profile, get_profile
from b12logic.validate import CaseError

__version__ = "0.1.0"


def evaluate_frame(df, guideline="source"):  # type: ignore[no-untyped-def]
    """Vectorised evaluate over a DataFrame (imported lazily: pandas is heavy)."""
    from b12logic.frame import evaluate_frame as _evaluate_frame

    return _evaluate_frame(df, guideline=guideline)


__all__ = [
    "B12_STATUSES",
    "ESR_FLAGS",
    "PROFILES",
    "REGIMENS",
    "Assessment",
    "Case",
    "CaseError",
    "GuidelineProfile",
    "Pitfall",
    "__version__",
    "custom_profile",
    "evaluate",
    "evaluate_frame",
    "get_profile",
]
