"""The live class: rooms students join on their phones, their anonymous answers, and the teacher's controls.

`open_store(url)` gives the store (SQLite by default, Redis for several machines); `questions_for(case_id)`
the questions and the engine's right answers. No streamlit here: pages/class.py lays it out.
"""

from b12logic.classroom.questions import QUESTION_IDS, Question, questions_for
from b12logic.classroom.store import (
    ENV_VAR,
    ClassError,
    ClassStore,
    Counts,
    OpenedRoom,
    Room,
    Tally,
    default_store_url,
    make_store,
    new_student_id,
    normalise_code,
    open_store,
)

__all__ = [
    "ENV_VAR",
    "QUESTION_IDS",
    "ClassError",
    "ClassStore",
    "Counts",
    "OpenedRoom",
    "Question",
    "Room",
    "Tally",
    "default_store_url",
    "make_store",
    "new_student_id",
    "normalise_code",
    "open_store",
    "questions_for",
]
