"""ui/startup.py: objects alive after new imports are frozen once, so the after-run collection stays cheap."""

from __future__ import annotations

import gc
import sys
import types

from ui import startup


def test_freezes_after_new_imports_and_not_on_every_run() -> None:
    startup.freeze_imported_modules()  # whatever the test process imported so far
    assert gc.get_freeze_count() > 0
    assert startup.freeze_imported_modules() is False  # a rerun that imported nothing: no collection, no freeze

    name = "_b12_startup_test_module"
    sys.modules[name] = types.ModuleType(name)  # stands for a page importing a module for the first time
    try:
        frozen_before = gc.get_freeze_count()
        assert startup.freeze_imported_modules() is True
        assert gc.get_freeze_count() >= frozen_before
        assert startup.freeze_imported_modules() is False
    finally:
        del sys.modules[name]


def test_a_full_collection_after_freezing_walks_only_new_objects() -> None:
    startup.freeze_imported_modules()
    garbage = [[i] for i in range(1000)]  # objects made after the freeze are still tracked and collectable
    tracked = len(gc.get_objects())
    assert tracked < gc.get_freeze_count()
    del garbage
