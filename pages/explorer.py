"""Explorer: what to do now first, then the B12 plan and the ESR reading side by side but apart, the work-up,
and the background folded away; the decision path. The case inputs are drawn here, in the page's fragment
(ui/explorer.py `page`): a slider move reruns the fragment only."""

from ui import explorer, labs, pages_mode, render, state

pages_mode.leave_old_pages_mode()  # a fresh server's first run of the Explorer alone: rerun it through app.py
# "Do now" into app.py's top slot, above the disclaimer; the live summary into its sidebar slots
state.case_heading()  # above the fragment's inputs: drawn by full runs only
explorer.page(render.page_top(), state.summary_slots())
# After the fragment, so a slider move does not redraw it; outside the runs' turn: its dialog may read a large
# file for seconds.
labs.open_case_button()
