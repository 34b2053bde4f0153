"""Plotly figure builders: pure functions from an assessment (or case data) to a `go.Figure`.

No streamlit here: the pages call these and hand the figure to `st.plotly_chart`. The diagrams are
drawn from the graph data in graphs.py (coordinates, labels, hover text), so a picture cannot
disagree with the engine that walks the same graphs.

One module per figure family; import from the package (`from b12logic.figures import decision_svg`):
- `style`: the Okabe-Ito palette, fonts, text escaping and wrapping, the base layout, `ReadyFigure`.
- `boxes`: box-and-arrow geometry of the graph diagrams, and reading their nodes and edges back.
- `decision`: the decision flowchart (Plotly) and its layout; `decision_svg`: the same layout as SVG.
- `mechanism`: the mechanism diagram and why each node is lit.
- `timeline`: the treatment timeline. `regions`: the B12 × MMA region map. `esr_age`: ESR limit by age.
- `batch`: the Batch check page's charts. `class_tally`: the class room's reveal (answers per round).
- `outline`: the phone layout of the two diagrams: a graph drawn top to bottom as an SVG outline.
- `slides`: presenter mode's figures, drawn for a projector (labels 20 px and up): this case's path, and the
  mechanism diagram at presenter scale.

Conventions every builder follows (add a builder to its family's module, or a new module for a new
family; reuse the helpers in style.py and boxes.py rather than re-inventing them):

- Colours come from the Okabe-Ito palette (colour-blind safe): use the constants `BLUE`, `ORANGE`,
  `GREEN`, `VERMILLION`, `PURPLE`, `SKY_BLUE`, `BLACK` (and `GREY` / `LIGHT_GREY` for faded items).
- Never colour alone: anything that is highlighted is also bold, thicker or a different symbol,
  and every figure has a title (`base_layout(title)`), which is also its accessible name.
- Diagrams hide their axes (`diagram_axes()`); charts keep labelled axes with units.
- Text that reaches plotly goes through `plotly_text()` (escapes `<`, `>` and `&`, which plotly
  would otherwise read as markup) and `wrap_text()` for line breaks.
- Whatever does not depend on the case is built once and cached (`functools.lru_cache` keyed on
  plain values such as the profile's thresholds); only the per-case styling is done per call,
  because every slider move reruns the page.

Builders:
- `decision_figure(assessment, profile)`: the B12 and ESR flowcharts, this case's path highlighted
  (`decision_chart` gives the same chart as a `ReadyFigure` for the page: no per-rerun copies;
  `decision_svg` the same picture as SVG).
- `mechanism_figure(assessment, step=None, profile=None)`: the mechanism diagram, abnormal nodes lit.
- `lit_reasons(assessment, profile=None)`: why each lit mechanism node is lit, in words.
- `decision_svg_phone`, `mechanism_svg_phone`: the two diagrams drawn top to bottom for a phone.
- `treatment_timeline_figure`, `region_map_figure`, `esr_by_age_figure`, `batch_status_figure`,
  `batch_esr_flag_figure`.
"""

from __future__ import annotations

from b12logic.figures.batch import batch_esr_flag_figure, batch_status_figure
from b12logic.figures.boxes import (
    LINE_PX,
    PX_PER_UNIT,
    Box,
    EdgeGeom,
    LabelPlace,
    box_annotation,
    box_for,
    decision_edges_of,
    edge_geom,
    edge_label_annotation,
    edge_trace,
    hover_text,
    node_trace,
    nodes_of,
)
from b12logic.figures.class_tally import class_tally_figure
from b12logic.figures.decision import (
    B12_AXES,
    B12_X,
    DECISION_Y,
    ESR_AXES,
    ESR_X,
    TREE_COLOUR,
    TREE_NAME,
    CasePaths,
    DecisionStatic,
    case_paths,
    decision_alt_text,
    decision_chart,
    decision_figure,
    decision_figure_spec,
    decision_static,
)
from b12logic.figures.decision_svg import decision_svg, decision_svg_phone
from b12logic.figures.esr_age import ESR_AGES, SEX_COLOURS, SEX_WORDS, esr_by_age_figure
from b12logic.figures.mechanism import (
    CONFOUNDING_STEP,
    MECHANISM_STEPS,
    PATHWAY_COLOUR,
    edge_step,
    lit_reasons,
    mechanism_figure,
    mechanism_svg_phone,
    step_nodes,
)
from b12logic.figures.outline import BOX_FONT, LABEL_FONT, PHONE_WIDTH, TITLE_FONT, Look, Section, outline_svg
from b12logic.figures.regions import (
    NOT_MEASURED,
    STATUS_COLOURS,
    region_grid,
    region_map_figure,
)
from b12logic.figures.slides import PRESENTER_SCALE, at_presenter_scale, mechanism_slide_spec, path_slide_spec
from b12logic.figures.style import (
    BLACK,
    BLUE,
    FONT_FAMILY,
    GREEN,
    GREY,
    LIGHT_GREY,
    MID_GREY,
    OKABE_ITO,
    ORANGE,
    PURPLE,
    SKY_BLUE,
    TEXT_ON,
    VERMILLION,
    WHITE,
    ReadyFigure,
    base_layout,
    build_figure,
    diagram_axes,
    legend_key,
    on_white,
    plotly_text,
    wrap_text,
)
from b12logic.figures.timeline import treatment_timeline_figure

# Plotly validates every property on construction, which costs ~10x the build itself. The figures here
# are assembled from a fixed set of property dicts, so validation runs in the tests (which set this
# to True) and the app skips it on each slider move.
VALIDATE_FIGURES = False

__all__ = [
    "B12_AXES",
    "B12_X",
    "BLACK",
    "BLUE",
    "BOX_FONT",
    "CONFOUNDING_STEP",
    "DECISION_Y",
    "ESR_AGES",
    "ESR_AXES",
    "ESR_X",
    "FONT_FAMILY",
    "GREEN",
    "GREY",
    "LABEL_FONT",
    "LIGHT_GREY",
    "LINE_PX",
    "MECHANISM_STEPS",
    "MID_GREY",
    "NOT_MEASURED",
    "OKABE_ITO",
    "ORANGE",
    "PATHWAY_COLOUR",
    "PHONE_WIDTH",
    "PRESENTER_SCALE",
    "PURPLE",
    "PX_PER_UNIT",
    "SEX_COLOURS",
    "SEX_WORDS",
    "SKY_BLUE",
    "STATUS_COLOURS",
    "TEXT_ON",
    "TITLE_FONT",
    "TREE_COLOUR",
    "TREE_NAME",
    "VALIDATE_FIGURES",
    "VERMILLION",
    "WHITE",
    "Box",
    "CasePaths",
    "DecisionStatic",
    "EdgeGeom",
    "LabelPlace",
    "Look",
    "ReadyFigure",
    "Section",
    "at_presenter_scale",
    "base_layout",
    "batch_esr_flag_figure",
    "batch_status_figure",
    "box_annotation",
    "box_for",
    "build_figure",
    "case_paths",
    "class_tally_figure",
    "decision_alt_text",
    "decision_chart",
    "decision_edges_of",
    "decision_figure",
    "decision_figure_spec",
    "decision_static",
    "decision_svg",
    "decision_svg_phone",
    "diagram_axes",
    "edge_geom",
    "edge_label_annotation",
    "edge_step",
    "edge_trace",
    "esr_by_age_figure",
    "hover_text",
    "legend_key",
    "lit_reasons",
    "mechanism_figure",
    "mechanism_slide_spec",
    "mechanism_svg_phone",
    "node_trace",
    "nodes_of",
    "on_white",
    "outline_svg",
    "path_slide_spec",
    "plotly_text",
    "region_grid",
    "region_map_figure",
    "step_nodes",
    "treatment_timeline_figure",
    "wrap_text",
]
