"""The demo's clock: the past is replayed at its own time, so every service stamps the time it would have.

`time_machine` (also the tests' clock) moves `timezone.now()`, `auto_now` fields and `date.today()`
for the whole process; `seed_demo` runs alone in its process, so nothing else sees the moved clock.
"""

from contextlib import contextmanager
from datetime import datetime

import time_machine


@contextmanager
def at(moment: datetime):
    """Runs the block at `moment`, with the clock standing still."""
    with time_machine.travel(moment, tick=False):
        yield
