"""Issue 22, finding 6: an upload's bytes never reach disk, in the app's upload route and in the CLI.

Streamlit parses an upload with Starlette's form parser, which spooled any file over 1 MB to a temporary
file on disk; the CLI's stdout mode spooled its results to /tmp. The write witness of tests/test_privacy.py
(an audit hook on every open for writing, and the temporary directory listed) watches both.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from starlette.formparsers import MultiPartParser
from starlette.requests import Request

import ui.labs
from b12logic.cli import main
from tests.test_privacy import no_files_written

MARKER = b"p1,63.29,F,173.37,87.13\n"
UPLOAD = b"id,age,sex,b12,esr\n" + MARKER * 150_000  # 3.6 MB: over Starlette's 1 MB spool threshold


def _parse_upload(body: bytes) -> bytes:
    """What Streamlit's upload route does with a request (starlette_routes.py:957): parse the form, read the file."""
    boundary = "b12boundary"
    payload = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="cases.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + body
        + f"\r\n--{boundary}--\r\n".encode()
    )
    scope = {
        "type": "http",
        "method": "PUT",
        "path": "/_stcore/upload_file/s/f",
        "headers": [(b"content-type", f"multipart/form-data; boundary={boundary}".encode())],
    }
    chunks = [payload[i : i + 65536] for i in range(0, len(payload), 65536)]

    async def receive() -> dict:
        return {"type": "http.request", "body": chunks.pop(0), "more_body": bool(chunks)}

    async def parse() -> bytes:
        form = await Request(scope, receive).form()
        upload = form["file"]
        data = await upload.read()  # type: ignore[union-attr]
        await form.close()
        return data

    return asyncio.run(parse())


def test_an_upload_is_parsed_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ui.labs.keep_uploads_in_memory()
    assert MultiPartParser.spool_max_size >= 51 * 1024 * 1024  # the largest body the route accepts
    with no_files_written(tmp_path, monkeypatch):
        assert _parse_upload(UPLOAD) == UPLOAD


def test_the_witness_sees_starlettes_default_spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Guards the guard: with Starlette's own 1 MB threshold the same upload is written to disk, and seen."""
    monkeypatch.setattr(MultiPartParser, "spool_max_size", 1024 * 1024)
    with pytest.raises(AssertionError, match="files opened for writing"), no_files_written(tmp_path, monkeypatch):
        _parse_upload(UPLOAD)


def test_the_cli_to_stdout_writes_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "cases.csv"
    source.write_bytes(UPLOAD)
    with no_files_written(tmp_path, monkeypatch):
        assert main(["batch", str(source)]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 150_001 and "173.37" in out


@pytest.mark.parametrize("name", ["scripts/serve.sh", "deploy/compose.yaml"])
def test_the_servers_keep_temporary_files_in_memory(name: str) -> None:
    text = (Path(__file__).resolve().parents[1] / name).read_text()
    assert ("TMPDIR" in text and "/dev/shm" in text) if name.endswith(".sh") else "tmpfs:" in text


def test_a_session_holds_at_most_two_uploads_worth() -> None:
    """Issue 22, finding 1: raw upload requests from one session no longer pile up (20 × 45 MB held 900 MB)."""
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    ui.labs.bound_session_uploads(manager, 100)
    ui.labs.bound_session_uploads(manager, 100)  # once only
    for i in range(20):
        manager.add_file("s1", UploadedFileRec(file_id=f"f{i}", name="x.csv", type="text/csv", data=b"x" * 45))
    manager.add_file("s2", UploadedFileRec(file_id="g", name="y.csv", type="text/csv", data=b"y" * 45))
    assert list(manager.file_storage["s1"]) == ["f18", "f19"]  # the newest two: 90 bytes within 100
    assert list(manager.file_storage["s2"]) == ["g"]  # another session untouched
    manager.add_file("s1", UploadedFileRec(file_id="big", name="z.csv", type="text/csv", data=b"z" * 500))
    assert list(manager.file_storage["s1"]) == ["big"]  # the newest stays even alone over the limit
