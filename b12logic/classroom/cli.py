"""`python -m b12logic class open | tally`: open a room from the shell, read its tally (FIXED, DESIGN.md).

    python -m b12logic class open [--case CASE_ID] [--store URL]
        {"room": "K7QM2X", "teacher_key": "...", "student_path": "/class?room=K7QM2X"}
    python -m b12logic class tally ROOM [--store URL]
        {"students": 3, "questions": {"b12_status": {"deficient": 2, ...}, "next_step": {...}}}

The store defaults to B12_CLASS_STORE, else the SQLite file in the working directory (as the server's).
The teacher key is printed once and stored only as a hash; the presenter's page is /class?room=CODE&key=KEY.
"""

from __future__ import annotations

import argparse
import json
import sys

from b12logic.classroom.store import default_store_url, make_store, store_errors
from b12logic.teaching_cases import TEACHING_CASES


def add_parser(sub: argparse._SubParsersAction) -> None:
    cls = sub.add_parser("class", help="a live class room: open one, or read its tally")
    verbs = cls.add_subparsers(dest="class_command", required=True, parser_class=type(cls))
    first_case = next(iter(TEACHING_CASES))
    opener = verbs.add_parser("open", help="open a room for a teaching case; prints room, teacher key, student path")
    opener.add_argument("--case", default=first_case, help=f"teaching case id (default: {first_case})")
    opener.add_argument("--store", help="sqlite:///PATH or redis://HOST:PORT/DB (default: $B12_CLASS_STORE)")
    tally = verbs.add_parser("tally", help="the current round's answers: students, and counts per option")
    tally.add_argument("room", help="the room code")
    tally.add_argument("--store", help="sqlite:///PATH or redis://HOST:PORT/DB (default: $B12_CLASS_STORE)")


def run(args: argparse.Namespace) -> None:
    """Raises ClassError (bad case, room or store) for the caller's one-line error."""
    url = args.store or default_store_url()
    out: dict[str, object]
    with store_errors(url):
        store = make_store(url)
        try:
            if args.class_command == "open":
                opened = store.open_room(args.case)
                out = {"room": opened.room, "teacher_key": opened.teacher_key, "student_path": opened.student_path}
                print(f"presenter: /class?room={opened.room}&key={opened.teacher_key}", file=sys.stderr)
            else:
                tally = store.tally(args.room)
                out = {"students": tally.students, "questions": tally.questions}
        finally:
            store.close()
    print(json.dumps(out, ensure_ascii=False))
