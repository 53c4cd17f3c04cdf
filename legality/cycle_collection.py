"""Pausing Python's cyclic garbage collector around bounded work that builds many objects.

A gazetteer load (about a million tuples and rows) and a bulk lookup (tens of thousands of rows,
answers and dicts) make objects that form no reference cycles: reference counting frees them.
Yet so many new objects set off the cycle collector again and again, each pass walking every
object of the process: measured, a third of a load's reading and a quarter of a 1,000-ZIP
lookup. The collector runs again when the work ends.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_cycle_collection() -> Iterator[None]:
    """The cycle collector off inside the block, and back on after it if it was on before."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
