"""A Streamlit client at the protocol level: one browser tab's session, without a browser.

It speaks what the browser's frontend speaks (Streamlit 1.67):

- an HTTP GET of the page first (as a browser loads index.html), which is also where a load balancer sets its
  sticky-session cookie; the cookie then rides on every later request and on the websocket handshake;
- a websocket to ``/_stcore/stream`` with the subprotocol list ``["streamlit", xsrf_token?, session_id?]``
  (streamlit/web/server/starlette/starlette_websocket.py, ``_parse_subprotocols``). The XSRF token is only
  checked there to read the auth cookie, which this app does not use, so it is not needed to connect; after a
  reconnect the browser sends its old session id in the third place and we do the same;
- ``BackMsg.rerun_script`` with a ``ClientState``: the URL's query string, the page (``page_script_hash``, or
  ``page_name`` = the URL path on a first load), and the value of every widget the session has seen, as the
  frontend's WidgetStateManager sends them (runtime/app_session.py ``request_rerun``);
- ``ForwardMsg`` replies read until ``script_finished``. Widget ids and values are learned from each run's
  ``delta.new_element`` (the id ends in ``-<key>`` for keyed widgets), pages from ``navigation``, and the URL from
  ``page_info_changed`` (the app mirrors the case into the query string).

Blocking I/O (websocket-client, urllib), so it runs in plain threads and under gevent (Locust patches sockets).
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

# ForwardMsg.script_finished values (proto/ForwardMsg.proto ScriptFinishedStatus).
FINISHED_SUCCESSFULLY = 0
FINISHED_WITH_COMPILE_ERROR = 1
FINISHED_EARLY_FOR_RERUN = 2
FINISHED_FRAGMENT_RUN_SUCCESSFULLY = 3


class ProtocolError(Exception):
    """The server closed, timed out, or the script run ended in an error element."""


@dataclass
class Reply:
    """What one rerun sent back."""

    seconds: float
    messages: int
    status: int
    exceptions: list[str] = field(default_factory=list)
    # Messages and bytes by kind ("new_session", "delta:markdown", ...): what a rerun costs to send.
    kinds: dict[str, list[int]] = field(default_factory=dict)


def _widget_value(kind: str, el: Any) -> WidgetState | None:
    """The WidgetState the frontend would send for an element as the server drew it (None: sends nothing)."""
    state = WidgetState(id=el.id)
    if kind == "slider":
        state.double_array_value.data.extend(el.value if el.set_value else el.default)
    elif kind == "number_input":
        if el.set_value:
            state.double_value = el.value
        elif el.HasField("default"):
            state.double_value = el.default
        else:
            return None  # an empty optional input: the browser sends no value
    elif kind == "checkbox":
        state.bool_value = el.value if el.set_value else el.default
    elif kind in ("radio", "selectbox"):
        if el.set_value:
            state.string_value = el.raw_value
        elif el.HasField("default") and 0 <= el.default < len(el.options):
            state.string_value = el.options[el.default]
        else:
            return None
    elif kind == "multiselect":
        values = el.raw_values if el.set_value else [el.options[i] for i in el.default]
        state.string_array_value.data.extend(values)
    else:
        return None  # buttons, downloads, charts: triggers only, sent when pressed
    return state


class StreamlitSession:
    """One tab: connect(), then rerun(...) as a user's actions would; close() at the end."""

    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.ws: websocket.WebSocket | None = None
        self.session_id = ""
        self.query_string = ""
        self.page_hash = ""
        self.pages: dict[str, str] = {}  # URL path ("" for the default page) -> page_script_hash
        self.widgets: dict[str, WidgetState] = {}  # widget id -> last value
        self.options: dict[str, list[str]] = {}  # widget id -> options (radio, selectbox, multiselect)
        self.ids: list[str] = []  # every widget id the last run drew, buttons included
        self.texts: list[str] = []  # markdown bodies of the last run (to check what the page says)
        self.fragments: dict[str, str] = {}  # widget id -> id of the st.fragment that drew it

    # -- connection -----------------------------------------------------------------------------------------
    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)

    def open_page(self, path: str = "", query: str = "") -> None:
        """GET the page as a browser would (index.html); sets the balancer's cookie."""
        url = f"{self.base_url}/{path.lstrip('/')}" + (f"?{query}" if query else "")
        with self._opener.open(url, timeout=self.timeout) as response:
            response.read()

    def connect(self) -> None:
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.cookies)
        protocols = ["streamlit", "", self.session_id] if self.session_id else ["streamlit"]
        self.ws = websocket.create_connection(
            f"{scheme}://{parts.netloc}{parts.path}/_stcore/stream",
            subprotocols=protocols,
            timeout=self.timeout,
            cookie=cookie or None,
            origin=f"{parts.scheme}://{parts.netloc}",
            enable_multithread=False,
        )

    def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                self.ws.close(timeout=1)
            self.ws = None

    def start(self, path: str = "", query: str = "") -> Reply:
        """A shared link opened: page GET, websocket, first run with the link's query string."""
        self.query_string = query  # the tab's address from now on, even if the server cannot be reached yet
        self.open_page(path, query)
        self.connect()
        return self.rerun(page_name=path.strip("/"), first=True)

    # -- runs -----------------------------------------------------------------------------------------------
    def widget_id(self, key: str) -> str:
        """The id of the widget with this user key (ids end in '-<key>'); KeyError if this page has none."""
        suffix = f"-{key}"
        for wid in self.ids:
            if wid.endswith(suffix):
                return wid
        raise KeyError(key)

    def rerun(
        self,
        changes: list[WidgetState] | None = None,
        page: str | None = None,
        page_name: str = "",
        first: bool = False,
    ) -> Reply:
        """Send one rerun (with these widget changes, or on another page) and read replies until the run ends."""
        if self.ws is None:
            raise ProtocolError("not connected")
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query_string
        if page is not None:
            self.page_hash = self.pages[page]
            cs.page_script_hash = self.page_hash
        elif first:
            cs.page_name = page_name  # a first load knows only the URL path
        else:
            cs.page_script_hash = self.page_hash
        states = dict(self.widgets)
        triggers = []
        for change in changes or []:
            # A widget drawn inside st.fragment (a button or a slider alike) reruns only its fragment: the
            # frontend's WidgetStateManager sends the fragment's id with the rerun.
            if self.fragments.get(change.id):
                cs.fragment_id = self.fragments[change.id]
            if change.WhichOneof("value") == "trigger_value":
                triggers.append(change)
            else:
                states[change.id] = change
        if page is None or first:
            cs.widget_states.widgets.extend([*states.values(), *triggers])
        else:
            # A page switch: the frontend sends the widgets still mounted; the shared sidebar is drawn by app.py.
            cs.widget_states.widgets.extend(states.values())
        started = time.perf_counter()
        try:
            self.ws.send_binary(msg.SerializeToString())
            return self._read_run(started)
        except (websocket.WebSocketException, OSError) as exc:
            self.close()
            raise ProtocolError(f"{type(exc).__name__}: {exc}") from exc

    def _read_run(self, started: float) -> Reply:
        assert self.ws is not None
        count = 0
        exceptions: list[str] = []
        texts: list[str] = []
        seen: dict[str, WidgetState] = {}
        ids: list[str] = []
        kinds: dict[str, list[int]] = {}
        while True:
            opcode, data = self.ws.recv_data()
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                self.close()
                raise ProtocolError("server closed the websocket")
            fm = ForwardMsg()
            fm.ParseFromString(data)
            count += 1
            kind = fm.WhichOneof("type")
            label = kind or "?"
            if kind == "delta":
                delta_kind = fm.delta.WhichOneof("type")
                inner = fm.delta.new_element.WhichOneof("type") if delta_kind == "new_element" else None
                label = f"delta:{inner or delta_kind}"
            tally = kinds.setdefault(label, [0, 0])
            tally[0] += 1
            tally[1] += len(data)
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                fragment = fm.delta.fragment_id
                element = fm.delta.new_element
                ekind = element.WhichOneof("type")
                if ekind is None:
                    continue
                el = getattr(element, ekind)
                if ekind == "exception":
                    exceptions.append(f"{el.type}: {el.message}")
                elif ekind in ("markdown", "alert"):  # alerts: the class room's "Sent: ..." confirmation
                    texts.append(el.body)
                elif getattr(el, "id", ""):
                    ids.append(el.id)
                    self.fragments[el.id] = fragment
                    if hasattr(el, "options") and ekind != "slider":
                        self.options[el.id] = list(el.options)
                    state = _widget_value(ekind, el)
                    if state is not None:
                        seen[el.id] = state
            elif kind == "new_session":
                self.session_id = fm.new_session.initialize.session_id or self.session_id
                self.page_hash = fm.new_session.page_script_hash or self.page_hash
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in fm.navigation.app_pages}
                self.page_hash = fm.navigation.page_script_hash or self.page_hash
            elif kind == "page_info_changed":
                self.query_string = fm.page_info_changed.query_string
            elif kind == "page_not_found":
                exceptions.append(f"page not found: {fm.page_not_found.page_name}")
            elif kind == "script_finished":
                status = fm.script_finished
                if status == FINISHED_EARLY_FOR_RERUN:
                    continue  # a newer run was asked for; its own script_finished follows
                seconds = time.perf_counter() - started
                # The widgets this run drew, with the values the server settled on (state the browser keeps);
                # a fragment's run redraws only the fragment, so the rest of the page stays as it was.
                if status == FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                    self.widgets = {**self.widgets, **seen}
                    self.ids = list(dict.fromkeys([*self.ids, *ids]))
                else:
                    self.widgets = seen
                    self.ids = ids
                self.texts = texts
                return Reply(seconds, count, status, exceptions, kinds)


def slider_move(session: StreamlitSession, key: str, value: float) -> WidgetState:
    return WidgetState(id=session.widget_id(key), double_array_value={"data": [float(value)]})


def choose(session: StreamlitSession, key: str, option: str) -> WidgetState:
    return WidgetState(id=session.widget_id(key), string_value=option)


def press(session: StreamlitSession, key: str) -> WidgetState:
    return WidgetState(id=session.widget_id(key), trigger_value=True)


def link_query(values: dict[str, Any]) -> str:
    return urlencode(values)


def refuse_unless_loopback(url: str | None) -> None:
    """Load tests target this machine only (the workplace's rule): stop before any request to another host."""
    host = urlsplit(url or "").hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"crowd: refusing to load {host!r}; loopback only")
