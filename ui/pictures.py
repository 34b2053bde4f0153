"""The two diagrams at the width of the screen: the wide drawing on a large screen, the top-to-bottom outline on
a phone (b12logic/figures/outline.py), with the wide drawing a tap away under it (ui/layout.py chooses)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from b12logic.engine import Assessment
from b12logic.figures import decision_svg, decision_svg_phone, mechanism_svg_phone
from b12logic.guidelines import GuidelineProfile
from ui import layout

FULL_SIZE = "The full-size diagram (scroll it sideways)"


def decision_picture(a: Assessment, profile: GuidelineProfile, alt: str) -> None:
    """The flowchart as a picture: both trees side by side, or on a phone top to bottom."""
    wide, narrow = layout.wide_and_narrow("decision")
    full = decision_svg(a, profile)
    wide.image(full, alt=alt, width="stretch")
    with narrow:
        st.image(decision_svg_phone(a, profile), alt=alt, width="stretch")
        full_size = layout.lazy_expander(FULL_SIZE, key="decision_full_size")
        if full_size.open:
            with full_size, st.container(key="decision_picture_full"):  # ui/style.css: scrolls sideways
                st.image(full, alt=alt, width="stretch")


def mechanism_picture(a: Assessment, figure: Any, alt: str, step: str | None = None) -> None:
    """The mechanism: the interactive chart, or on a phone the outline with the chart (hover = tap) under it."""
    wide, narrow = layout.wide_and_narrow("mechanism")
    wide.plotly_chart(figure, width="stretch", key="mechanism_figure", alt=alt, config={"displaylogo": False})
    with narrow:
        st.image(mechanism_svg_phone(a, step), alt=alt, width="stretch")
        with st.expander(FULL_SIZE + "; tap a box for what it means"):
            st.plotly_chart(
                figure, width="stretch", key="mechanism_figure_full", alt=alt, config={"displaylogo": False}
            )
