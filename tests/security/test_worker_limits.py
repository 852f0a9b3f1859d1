"""A worker killed whole mid-task loses nothing for long: the broker's visibility timeout hands the
task to another worker within minutes, and every task stops before it (so none runs twice)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import shared_task
from django.conf import settings
from redis import Redis

from ceocalls.celery import app
from ceocalls.checks import check_task_limits, longest_retry_wait, task_limit_problems

ROOT = Path(__file__).resolve().parents[2]


def test_every_task_stops_before_the_visibility_timeout():
    assert task_limit_problems() == []  # also imports every app's tasks module, as the worker does
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert visibility == settings.CELERY_VISIBILITY_TIMEOUT == 600  # a lost task is back within ten minutes
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert {"callsheets.tasks.build_week_task", "imports.tasks.execute_import_run"} <= set(ours)
    for name, task in ours.items():
        hard = task.time_limit or app.conf.task_time_limit
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        assert 0 < soft < hard and hard + longest_retry_wait(task) < visibility, name
    # Workers look for abandoned messages every 30 s instead of kombu's ~100 s.
    options = app.conf.broker_transport_options
    assert options["unacked_restore_interval"] * options["unacked_restore_throttle"] <= 30


def test_a_task_that_could_outlive_the_timeout_fails_manage_py_check():
    @shared_task(name="tests.security.too_slow", time_limit=900)
    def too_slow():
        pass

    app.tasks  # noqa: B018 - finalizes the app so the shared task is registered on it
    try:
        (error,) = check_task_limits()
        assert error.id == "ceocalls.E001"
        assert error.msg.startswith("tests.security.too_slow: time limit 900s + longest retry wait 0s is not below")
    finally:
        app.tasks.pop("tests.security.too_slow", None)


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PYTEST_CURRENT_TEST"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_limits_that_do_not_fit_are_refused_in_one_line():
    result = run_manage("check", CELERY_TASK_TIME_LIMIT="700")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "error: CELERY_TASK_SOFT_TIME_LIMIT=420 < CELERY_TASK_TIME_LIMIT=700 < CELERY_VISIBILITY_TIMEOUT=600 must "
        "hold (seconds): a task still running at the visibility timeout is delivered twice."
    ]


def start_worker(queue: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ceocalls",
            "worker",
            "-Q",
            queue,
            "-c",
            "1",
            "-P",
            "prefork",
            "-I",
            "tests.security.slow_tasks",
            "-n",
            f"{queue}-{uuid.uuid4().hex[:6]}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: parent and pool are killed together
    )


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def wait_for(path: Path, seconds: float) -> bool:
    return wait_until(path.exists, seconds)


def acknowledged(redis, queue: str) -> bool:
    """Nothing of `queue` is waiting or held unacknowledged (kombu keeps [message, exchange, routing key])."""
    return redis.llen(queue) == 0 and not any(queue.encode() in value for value in redis.hvals("unacked"))


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


@pytest.mark.redis
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # send_task always goes to the broker
def test_a_task_lost_with_its_whole_worker_runs_on_another_worker(tmp_path):
    """SIGKILL to the worker's parent and pool mid-task; a second worker gets the task once the (here
    8-second) visibility timeout has passed. With the default 600 s the same path takes ten minutes."""
    queue = f"kill-test-{uuid.uuid4().hex[:8]}"
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"},
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path}/worker.sqlite3",
        "CELERY_VISIBILITY_TIMEOUT": "8",
        "CELERY_TASK_TIME_LIMIT": "6",
        "CELERY_TASK_SOFT_TIME_LIMIT": "5",
    }
    markers = tmp_path / "runs"
    markers.mkdir()
    redis = Redis.from_url(settings.REDIS_URL)
    first = start_worker(queue, env)
    second = None
    try:
        app.send_task("tests.security.record_run", args=[str(markers), 4.0], queue=queue)
        assert wait_for(markers / "run-1", 60), first.stderr.read1().decode() if first.poll() is not None else ""
        os.killpg(first.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait(timeout=10)
        assert not (markers / "done-1").exists()

        second = start_worker(queue, env)
        assert wait_for(markers / "done-2", 90), "the lost task never came back"
        back_after = time.monotonic() - killed_at
        print(f"lost task ran again {back_after:.1f} s after its worker was killed (visibility timeout 8 s)")
        assert 8 <= back_after < 90
        assert wait_until(lambda: acknowledged(redis, queue), 30)
        stop(second)
        assert redis.llen(queue) == 0
        assert sorted(p.name for p in markers.iterdir()) == ["done-2", "run-1", "run-2"]  # once more, not twice
    finally:
        for worker in (first, second):
            if worker is not None:
                stop(worker)
        redis.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
