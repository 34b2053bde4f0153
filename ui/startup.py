"""Process-wide tuning that every run shares: keep Streamlit's after-run garbage collection cheap, and let one
Explorer run at a time hold the interpreter (`one_run_at_a_time`).

Streamlit runs a full `gc.collect(2)` after every script run (`runner.postScriptGC`) while holding the
interpreter lock, and the run's messages wait for it. A full collection walks every object the
process tracks: ~84,000 after importing streamlit, plotly and b12logic, which took ~70 ms here, a
third of the slider-to-verdict time (bench/HISTORY.md). Almost all of those objects are modules,
classes and constants that live as long as the process, so after a run that imported new modules we
move them to the permanent generation (`gc.freeze()`), which collections skip. The after-run
collection then costs well under a millisecond and still frees this session's cyclic garbage.
"""

from __future__ import annotations

import gc
import sys
import threading

# One Explorer run at a time per process. Streamlit runs each session's script in a thread of its own; under a
# crowd dozens are runnable at once and pass the interpreter lock to each other every few milliseconds, each
# time waking every waiting thread: the server then used 60% of its core while queueing runs for seconds (bench/
# RESULTS.md "Crowd"). Taken in turn, the runs use the core fully. Reentrant: a run that takes it twice (a full
# run and the fragment inside it) is one holder. The Explorer only: a batch upload may run for minutes.
_EXPLORER_RUNS = threading.RLock()

_modules_frozen = 0

# Python's collector runs a young-generation pass every 700 new container objects, and the older passes after ten
# and a hundred of those. A class's joins make objects by the thousand (every session's state and messages):
# with 600 students joining two replicas each collected ~400 times in ~25 s, 0.46 s of its CPU (bench/RESULTS.md,
# issue 20, session 12). Every 10,000 objects it collected ~25 times, 0.30 s. Set once, when the first run imports
# this module; the objects that live long are frozen anyway (`freeze_imported_modules`).
YOUNG_OBJECTS_PER_COLLECTION = 10_000
if gc.get_threshold()[0] < YOUNG_OBJECTS_PER_COLLECTION:
    gc.set_threshold(YOUNG_OBJECTS_PER_COLLECTION, *gc.get_threshold()[1:])


def freeze_imported_modules() -> bool:
    """After a run that imported modules: collect once, then freeze what survives. True if it froze.

    Runs at most once per newly imported set of modules (a page's first visit in this process), so the
    one-off collection is paid a few times per server, not on every rerun. What is frozen is never
    collected, so this is kept to the moments when the process has just grown by whole modules.
    """
    global _modules_frozen
    if len(sys.modules) <= _modules_frozen:
        return False
    gc.collect()
    gc.freeze()
    _modules_frozen = len(sys.modules)
    return True


def one_run_at_a_time() -> threading.RLock:
    """`with startup.one_run_at_a_time():` around an Explorer run: the runs of all sessions take turns."""
    return _EXPLORER_RUNS
