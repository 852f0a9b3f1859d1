"""A task for the worker-kill test only: loaded by that test's worker with `-I tests.security.slow_tasks`."""

import os
import time
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.security.record_run", acks_late=True)
def record_run(marker_dir: str, first_run_seconds: float) -> int:
    """Leaves `run-N` when it starts and `done-N` when it ends; the first run takes long enough to be killed in."""
    runs = Path(marker_dir)
    number = len(list(runs.glob("run-*"))) + 1
    (runs / f"run-{number}").write_text(str(os.getpid()))
    if number == 1:
        time.sleep(first_run_seconds)
    (runs / f"done-{number}").write_text(str(time.time()))
    return number
