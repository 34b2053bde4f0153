"""Streamlit helpers of the class room page: the store, the student's id, rate limits, the join QR code.

The store is opened once per process from B12_CLASS_STORE (scripts/serve.sh gives every replica the same one).
A student's anonymous id lives in the tab's URL (`student=`), so a reload or a reconnect to another replica
(when one dies) keeps the same student: a re-sent answer replaces itself instead of counting twice.
"""

from __future__ import annotations

import io
import time
from functools import lru_cache

import streamlit as st

from b12logic.classroom import ClassStore, new_student_id, open_store
from b12logic.classroom.ratelimit import TokenBucket
from b12logic.classroom.store import STUDENT_PATTERN, default_store_url

STUDENT_PARAM = "student"
ROOM_PARAM = "room"
KEY_PARAM = "key"
# A student sends two answers and perhaps changes them: 6 at once, then one every 2 s, stops a flood only.
ANSWER_BUCKET = {"capacity": 6.0, "per_second": 0.5}
# Opening rooms: 3 at once, then one a minute per session.
ROOM_BUCKET = {"capacity": 3.0, "per_second": 1 / 60}


def store() -> ClassStore:
    return open_store(default_store_url())


def student_id() -> str:
    """This tab's anonymous student id: from the URL, or made now and put there."""
    sid = st.query_params.get(STUDENT_PARAM, "")
    if not STUDENT_PATTERN.fullmatch(sid):
        sid = new_student_id()
        st.query_params[STUDENT_PARAM] = sid
    return sid


def allowed(kind: str) -> tuple[bool, float]:
    """Spend one of this session's tokens for `kind` ("answer" or "room"): (allowed, seconds to wait)."""
    spec = ANSWER_BUCKET if kind == "answer" else ROOM_BUCKET
    name = f"_class_bucket_{kind}"
    bucket = st.session_state.get(name)
    now = time.monotonic()
    if not isinstance(bucket, TokenBucket):
        bucket = st.session_state[name] = TokenBucket(now=now, **spec)
    return bucket.take(now), bucket.wait_s()


def base_url() -> str:
    """The app's address as this browser reached it (the presenter's), without the page: the QR code's host."""
    url = st.context.url or "http://localhost:8501/class"
    cut = url.rfind("/class")
    return (url[:cut] if cut >= 0 else url).rstrip("/")


@lru_cache(maxsize=32)
def qr_png(url: str) -> bytes:
    """A QR code of `url` as a PNG (segno, pure Python): served by the app itself, nothing fetched elsewhere."""
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=2, dark="#000000", light="#FFFFFF")
    return buffer.getvalue()
