"""The hub's garbage-collection pacing (gc_freezer.py): survivors are frozen out of CPython's
full collections, and cycles that die among them are still freed by the freezer's own pass."""

from __future__ import annotations

import gc
import time
import weakref

import pytest

from twinspace.gc_freezer import GcFreezer


class Node:
    pass


def dead_cycle() -> weakref.ref:
    """A reference cycle nobody else holds, and a weak reference to tell when it is freed."""
    node = Node()
    node.me = node
    return weakref.ref(node)


@pytest.fixture
def frozen_nothing():
    gc.collect()
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test run collects as usual
    gc.collect()


def test_a_cycle_that_dies_after_it_was_frozen_waits_for_the_full_pass(frozen_nothing):
    freezer = GcFreezer(count_every=1000)  # no automatic full pass in this test
    node = Node()
    node.me = node
    ref = weakref.ref(node)
    freezer.tick()
    assert gc.get_freeze_count() > 0
    del node
    gc.collect()  # what CPython's own full collection sees: not the frozen cycle
    assert ref() is not None
    freezer.full()
    assert ref() is None
    assert freezer.full_collections == 1 and freezer.last_full_ms is not None


def test_a_young_cycle_is_collected_before_it_is_frozen(frozen_nothing):
    ref = dead_cycle()
    GcFreezer(count_every=1000).tick()
    assert ref() is None


def test_the_full_pass_runs_once_the_frozen_objects_doubled(frozen_nothing):
    freezer = GcFreezer(count_every=1, floor=0)
    freezer.full()
    kept = freezer.frozen_after_full
    freezer.tick()
    assert freezer.full_collections == 1  # nothing new survived
    more = [[i] for i in range(kept + 1000)]  # one tracked list each: the frozen set more than doubles
    freezer.tick()
    assert freezer.full_collections == 2
    assert freezer.frozen_after_full >= kept + len(more)
    freezer.tick()
    assert freezer.full_collections == 2


def test_the_thread_freezes_until_stopped_and_then_gives_everything_back(frozen_nothing):
    freezer = GcFreezer(every=0.01).start()
    try:
        survivors = [[i] for i in range(10_000)]
        deadline = time.monotonic() + 5
        while gc.get_freeze_count() < len(survivors) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert gc.get_freeze_count() >= len(survivors)
    finally:
        freezer.stop()
    assert gc.get_freeze_count() == 0
    assert not freezer._thread.is_alive()
