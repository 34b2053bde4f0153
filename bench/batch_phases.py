"""Where one batch's CPU time goes: the batch command's own calls (open_batch, then per chunk evaluate_frame and
the results writer) in one process, each phase's CPU seconds (time.process_time, so waiting for a shared core
does not count) summed over the file's chunks.

    taskset -c 1 nice -n 10 .venv/bin/python bench/batch_phases.py FILE [--code DIR]

--code DIR: time the b12logic of another checkout (e.g. `git archive <commit> b12logic | tar -x -C DIR`), for a
before -> after run alternated with this one. Nested phases overlap (read_text_frame holds budgeted_plan, which
holds stream_plan; _csv_parts holds _rendered_columns and _joined).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_PHASES = {  # module -> the names timed in it (where the batch path looks them up)
    "b12logic.csv_blocks": ("budgeted_plan", "stream_plan"),
    "b12logic.labs": ("read_text_frame", "read_long_frame"),
    "b12logic.batch": ("frame_holds_cr", "evaluate_frame"),
    "b12logic.frame": ("ParsedColumns", "fill_bad_rows"),
    "b12logic.csv_out": ("results_for_csv", "_csv_parts", "_rendered_columns", "_joined"),
}


def _timed(spent: dict[str, float], name: str, call: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return call(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.process_time() - start

    return timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    sys.path.insert(0, str(args.code))
    start = time.process_time()
    import importlib

    modules = {name: importlib.import_module(name) for name in _PHASES}
    imports = time.process_time() - start
    spent: dict[str, float] = {}
    for module_name, names in _PHASES.items():
        for name in names:
            setattr(modules[module_name], name, _timed(spent, name, getattr(modules[module_name], name)))
    batch_module = modules["b12logic.batch"]
    start = time.process_time()
    batch = batch_module.open_batch(str(args.file))
    opened = time.process_time() - start
    start = time.process_time()
    with open("/dev/null", "wb") as sink:
        batch_module._write_into(batch, sink, batch_module.DEFAULT_PROFILE)
    written = time.process_time() - start
    print(f"{args.file.name} ({args.code}): imports {imports:.2f}, open {opened:.2f}, chunks {written:.2f} CPU s")
    for name, seconds in spent.items():
        print(f"  {name} {seconds:.2f}")


if __name__ == "__main__":
    main()
