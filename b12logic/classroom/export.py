"""A room's results as CSV: anonymous and safe to open in a spreadsheet.

Student ids (random, one per browser tab) are replaced by numbers in order of first answer, so the file
holds no id that could be matched to a tab; each row says the round, the question, the option chosen (id and
words) and whether the engine counts it right. Every cell goes through the batch CSV's spreadsheet guard.
"""

from __future__ import annotations

import pandas as pd

from b12logic.classroom.questions import questions_for
from b12logic.classroom.store import AnswerRow, Room
from b12logic.csv_cells import spreadsheet_safe

COLUMNS = ["room", "case_id", "round", "student", "question", "answer", "answer_text", "right"]


def results_frame(room: Room, rows: list[AnswerRow]) -> pd.DataFrame:
    questions = {q.id: q for q in questions_for(room.case_id)}
    numbers: dict[str, int] = {}
    for row in rows:
        numbers.setdefault(row.student, len(numbers) + 1)
    records = [
        {
            "room": room.code,
            "case_id": room.case_id,
            "round": row.round,
            "student": numbers[row.student],
            "question": row.question,
            "answer": row.option,
            "answer_text": questions[row.question].label(row.option),
            "right": "yes" if row.option in questions[row.question].right else "no",
        }
        for row in sorted(rows, key=lambda r: (r.round, numbers[r.student], r.question))
    ]
    return pd.DataFrame(records, columns=COLUMNS)


def results_csv(room: Room, rows: list[AnswerRow]) -> str:
    frame = results_frame(room, rows)
    return str(frame.apply(spreadsheet_safe).to_csv(index=False, lineterminator="\r\n"))
