from .calendar_feed import calendar_feed_build, executive_rotate_calendar_token
from .delivery import delivery_claim, email_render, email_send_once
from .emails import briefing_send, briefings_send_due, overdue_digests_send, program_weekly_send
from .flag_emails import flag_outcome_send, flag_outcomes_send_missed
from .preferences import preference_for, preference_update
from .urgent_emails import urgent_notice_retry, urgent_notice_send, urgent_overdue_send, urgent_slack_post

__all__ = [
    "briefing_send",
    "briefings_send_due",
    "calendar_feed_build",
    "delivery_claim",
    "email_render",
    "email_send_once",
    "executive_rotate_calendar_token",
    "flag_outcome_send",
    "flag_outcomes_send_missed",
    "overdue_digests_send",
    "preference_for",
    "preference_update",
    "program_weekly_send",
    "urgent_notice_retry",
    "urgent_notice_send",
    "urgent_overdue_send",
    "urgent_slack_post",
]
