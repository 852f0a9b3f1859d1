from django.conf import settings

from ceocalls.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "notifications.tasks.send_weekly_briefings",
        "notifications.tasks.send_overdue_digests",
        "notifications.tasks.send_program_weekly",
        "notifications.tasks.send_missed_flag_outcomes",
    } <= names
    assert "notifications.tasks.send_flag_outcome" in app.tasks
    assert all(name in app.tasks for name in names if name.startswith("notifications."))


def test_beat_times_come_from_the_settings():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["send-overdue-digests"]["schedule"].hour == {settings.NOTIFY_OVERDUE_HOUR}
    program = schedule["send-program-weekly"]["schedule"]
    assert program.hour == {settings.NOTIFY_PROGRAM_HOUR} and program.day_of_week == {1}  # Monday
