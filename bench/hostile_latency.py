"""Another user's slider latency while someone uploads a hostile file (issue 22), on one pinned server.

One Streamlit server runs on core 0 (taskset); this load generator runs on core 1. User A opens the Explorer
and moves the B12 slider: first with nothing else going on (quiet), then while user B uploads, on the Batch
page, a 49 MB FHIR Bundle (720,000 Observations) and then a 49 MB wide CSV (1.4 million rows), each through
Streamlit's own upload route. The figure is A's median slider-to-finished-run time during B's runs over the
quiet median. Loopback only; one server, two users, bounded in time. Run by bench/hostile.py --latency.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH / "crowd"))
from protocol import StreamlitSession, slider_move  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.Common_pb2 import FileURLs, UploadedFileInfo  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _upload(session: StreamlitSession, key: str, path: Path) -> float:
    """Upload a file into the file_uploader with this key as the browser does; return the run's seconds."""
    assert session.ws is not None
    uploader = session.widget_id(key)
    request = BackMsg()
    request.file_urls_request.request_id = uuid.uuid4().hex
    request.file_urls_request.file_names.append(path.name)
    request.file_urls_request.session_id = session.session_id
    session.ws.send_binary(request.SerializeToString())
    while True:  # the answer comes on the websocket
        reply = ForwardMsg()
        reply.ParseFromString(session.ws.recv_data()[1])
        if reply.WhichOneof("type") == "file_urls_response":
            urls = reply.file_urls_response.file_urls[0]
            break
    session._opener.open(session.base_url + "/_stcore/health", timeout=30).read()
    xsrf = next((c.value for c in session.cookies if c.name == "_streamlit_xsrf"), "")
    boundary = uuid.uuid4().hex
    data = path.read_bytes()
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{urls.file_id}"; filename="{path.name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    put = urllib.request.Request(
        session.base_url + "/" + urls.upload_url.lstrip("/") if urls.upload_url.startswith("/") else urls.upload_url,
        data=body,
        method="PUT",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "X-Xsrftoken": xsrf},
    )
    session._opener.open(put, timeout=120).read()
    state = WidgetState(id=uploader)
    info = UploadedFileInfo(name=path.name, size=len(data), file_id=urls.file_id)
    info.file_urls.CopyFrom(FileURLs(file_id=urls.file_id, upload_url=urls.upload_url, delete_url=urls.delete_url))
    state.file_uploader_state_value.uploaded_file_info.append(info)
    return session.rerun([state]).seconds


def _slider_times(session: StreamlitSession, until: threading.Event | None, count: int) -> list[float]:
    times = []
    value = 200.0
    while len(times) < count and not (until is not None and until.is_set()):
        value = 200.0 if value > 200 else 260.0
        times.append(session.rerun([slider_move(session, "in_b12", value)]).seconds)
        time.sleep(0.05)  # a person moving a slider, not a loop hammering it
    return times


def measure(wide: Path, fhir: Path, many: Path) -> list[str]:
    os.sched_setaffinity(0, {1})  # the load generator on core 1; the server on core 0
    port = _free_port()
    with tempfile.TemporaryDirectory(dir="/dev/shm") as tmp, open(Path(tmp) / "server.log", "w") as log:
        server = subprocess.Popen(
            ["taskset", "-c", "0", str(ROOT / ".venv/bin/streamlit"), "run", str(ROOT / "app.py"),
             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env={**os.environ, "TMPDIR": tmp}, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/_stcore/health", timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.2)
            a, b = StreamlitSession(base), StreamlitSession(base)
            a.start()
            b.start("batch")
            _slider_times(a, None, 10)  # warm-up
            quiet = _slider_times(a, None, 40)
            lines, during_all = [], []
            uploads = (("FHIR Bundle, 175,000 Observations", fhir), ("FHIR Bundle, 723,000 small Observations", many),
                       ("wide CSV, 1.4 million rows", wide))  # fmt: skip
            for name, path in uploads:
                if os.environ.get("B12_BENCH_ONLY") and os.environ["B12_BENCH_ONLY"] not in name:
                    continue  # one upload alone (to find which one a failure comes from)
                done = threading.Event()
                upload_seconds: list[float] = []

                def upload(file: Path = path, flag: threading.Event = done, out: list[float] = upload_seconds) -> None:
                    try:
                        out.append(_upload(b, "batch_upload", file))
                    finally:
                        flag.set()

                worker = threading.Thread(target=upload)
                worker.start()
                time.sleep(1.0)  # the upload's bytes travel first; measure while the server works on them
                during = _slider_times(
                    a, done, 100_000
                )  # until B is done: a tab that stops reading is closed by the server's keepalive
                worker.join()
                during_all += during
                lines.append(
                    f"| during B's upload of the {name} ({upload_seconds[0] if upload_seconds else float('nan'):.1f} s "
                    f"run) | {statistics.median(during) * 1000:.0f} ms | {max(during) * 1000:.0f} ms | {len(during)} |"
                )
            a.close()
            b.close()
        except Exception:
            log.flush()
            print("server log, last lines:\n" + "\n".join(Path(log.name).read_text().splitlines()[-30:]))
            raise
        finally:
            server.terminate()
            server.wait(timeout=20)
    quiet_median = statistics.median(quiet)
    ratio = statistics.median(during_all) / quiet_median
    return [
        "Another user's slider latency (bench/hostile_latency.py): server pinned to core 0 with taskset, the load "
        "generator on core 1; user A moves the B12 slider on the Explorer while user B uploads on the Batch page.",
        "",
        "| user A's slider, rerun to finished | median | max | moves |",
        "|---|---|---|---|",
        f"| quiet | {quiet_median * 1000:.0f} ms | {max(quiet) * 1000:.0f} ms | {len(quiet)} |",
        *lines,
        "",
        f"During the hostile uploads / quiet, median: **{ratio:.2f}×** (target ≤ 1.5×). Load average after: "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
        + ".",
    ]


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    print("\n".join(measure(folder / "wide49.csv", folder / "bundle49.json", folder / "bundle49-many.json")))
