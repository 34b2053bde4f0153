"""What a slider move sends from a real server (protocol level, one session, loopback): the Explorer's fragment
reruns alone, and it leaves out what does not follow the case (issue 20: fewer messages per move).

The costs themselves are measured in bench/crowd/explorer_cost.py, never asserted here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench" / "crowd"))
from crowd_tools import Servers, start_servers  # noqa: E402
from protocol import StreamlitSession, slider_move  # noqa: E402

from tests.redis_server import free_port  # noqa: E402
from ui.state import KEYS  # noqa: E402


@pytest.fixture(scope="module")
def server() -> Iterator[Servers]:
    servers = start_servers(1, free_port(), balancer=False)
    yield servers
    servers.stop()


def test_a_slider_move_redraws_the_case_but_not_the_copy_link_or_the_report_buttons(server: Servers) -> None:
    s = StreamlitSession(server.url, timeout=30)
    first = s.start("", "b12=150&esr=48&age=70&sex=female")
    assert "delta:bidi_component" in first.kinds  # the copy-link button is on the page (drawn by the full run)
    assert any("B12 150 pg/mL" in t for t in s.texts)
    moved = s.rerun([slider_move(s, KEYS["b12"], 180)])
    assert not moved.exceptions
    assert any("B12 180 pg/mL" in t for t in s.texts), "the move reached the case line"
    assert "new_session" in moved.kinds
    # The fragment's rerun: the copy-link component is not sent again, and the report buttons wait in their
    # closed expander.
    assert "delta:bidi_component" not in moved.kinds
    assert "delta:download_button" not in moved.kinds
    assert "delta:slider" in moved.kinds  # the inputs are redrawn, in the fragment
    s.close()
