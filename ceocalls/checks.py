"""System checks (`manage.py check`, run by `migrate` too) for settings that only fail at run time."""

from django.core.checks import Error, register
from django.utils.module_loading import autodiscover_modules


def longest_retry_wait(task) -> int:
    """Seconds the longest automatic retry of `task` waits as an ETA message in Redis before it runs."""
    if not getattr(task, "autoretry_for", ()):
        return 0
    backoff = getattr(task, "retry_backoff", False)
    if not backoff:
        return task.default_retry_delay
    ceiling = int(getattr(task, "retry_backoff_max", 600))  # Celery's default, as in celery/app/autoretry.py
    retries = task.max_retries if task.max_retries is not None else 32
    return min(ceiling, max(1, int(backoff)) * 2 ** max(0, retries - 1))


def task_limit_problems() -> list[str]:
    """Every task of ours must be done (or killed) before Redis hands its message to another worker.

    A message stays unacknowledged from delivery to the end of the task (acks_late); past the
    visibility timeout Redis delivers it again, so a task still running, or a retry still waiting,
    would run twice.
    """
    from ceocalls.celery import app

    autodiscover_modules("tasks")  # what the worker imports; not Celery's own hook, which runs these checks
    conf = app.conf
    visibility = conf.broker_transport_options.get("visibility_timeout", 3600)
    problems = []
    for name, task in sorted(app.tasks.items()):
        if name.startswith("celery."):
            continue
        hard = task.time_limit or conf.task_time_limit
        soft = task.soft_time_limit or conf.task_soft_time_limit
        wait = longest_retry_wait(task)
        if not hard:
            problems.append(f"{name} has no hard time limit; it must stop before the {visibility}s visibility timeout.")
        elif hard + wait >= visibility:
            problems.append(
                f"{name}: time limit {hard}s + longest retry wait {wait}s is not below the {visibility}s "
                "visibility timeout (CELERY_VISIBILITY_TIMEOUT), so it could run twice."
            )
        if soft and hard and soft >= hard:
            problems.append(f"{name}: soft time limit {soft}s is not below its hard limit {hard}s.")
    return problems


@register("celery")
def check_task_limits(app_configs=None, **kwargs):
    return [Error(problem, id="ceocalls.E001") for problem in task_limit_problems()]
