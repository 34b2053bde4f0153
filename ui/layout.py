"""One section drawn twice, for wide and narrow screens: the browser shows the one that fits (ui/style.css).

The server cannot know the screen's width, so a table that cannot fit 390 px (six columns of sentences) has a
narrow form, a list a phone reads top to bottom, and CSS media queries choose between them. Keys name each
container `wideview_<name>` / `narrowview_<name>`: Streamlit gives a keyed container the class
`st-key-<key>`, which the CSS matches.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.elements.lib.mutable_expander_container import ExpanderContainer

# Below this width the narrow form shows: Streamlit's own breakpoint where columns stack (640 px).
NARROW_MAX_PX = 640


def wide_and_narrow(name: str) -> tuple[DeltaGenerator, DeltaGenerator]:
    """Two containers, (wide, narrow), of which the browser shows one."""
    return st.container(key=f"wideview_{name}"), st.container(key=f"narrowview_{name}")


def lazy_expander(label: str, key: str) -> ExpanderContainer:
    """An expander whose content is drawn only while it is open (`if exp.open:`): a closed one costs one message
    per rerun, not its content's (the Explorer's full-size flowchart: 27 kB; bench/RESULTS.md "Crowd"). Opening
    it reruns the app (or the fragment that drew it). Streamlit 1.67: `on_change="rerun"` makes the expander keep
    its state and `.open` say it (streamlit/elements/layouts.py:1911-1917,
    elements/lib/mutable_expander_container.py:96-107)."""
    return st.expander(label, key=key, on_change="rerun")
