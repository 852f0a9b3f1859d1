from customers.models import Customer, SupportTicket, SurveyResponse
from customers.services.flags import flag_raise_from_survey, flag_raise_from_ticket


def flag_raise_for_ticket(*, ticket: SupportTicket, tag: str) -> bool:
    """Flags the customer of a ticket tagged `tag`, through the same service as a lead's flag.

    True when the ticket raised a flag or added a note to the customer's active flag; False when
    it had done so before (importing the same ticket again adds nothing). Runs inside the
    caller's transaction.
    """
    return flag_raise_from_ticket(ticket_id=ticket.pk, tag=tag) is not None


def flags_raise_for_surveys(*, responses: list[SurveyResponse]) -> int:
    """Raises an urgent flag for each answer written that crosses the scoring policy's survey line
    (callsheets.survey_line), through the same service as a lead's flag; the number raised or added.

    Reads the policy and the few crossing answers' customers (two queries), then one service call
    per crossing answer; an answer that raised a flag before raises nothing again.
    """
    from callsheets.models import ScoringPolicy
    from callsheets.survey_line import crosses_survey_line

    policy = ScoringPolicy.objects.active()
    if not policy.survey_alarm_kind:
        return 0
    near = [r for r in responses if r.kind == policy.survey_alarm_kind and r.score <= policy.survey_alarm_max_score]
    if not near:
        return 0
    customers = Customer.objects.in_bulk({r.customer_id for r in near})
    raised = 0
    for r in near:
        customer = customers.get(r.customer_id)
        if customer is not None and crosses_survey_line(r, customer, policy):
            raised += flag_raise_from_survey(response_id=r.pk) is not None
    return raised
