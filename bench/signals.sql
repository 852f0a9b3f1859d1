-- The limit beside the weekly build: one hand-written query computing, for every customer with an
-- alarm, the builder's signals (flag, latest low NPS/CSAT, ticket counts, overdue promises, carried
-- over), its score by the README's formula, and whether it may be called at all (churned, cooldown,
-- a callable contact), ranked as the builder ranks. Parameters come from the active scoring policy.
-- Each source is read once, through its index, into one row per customer (UNION ALL, then one
-- GROUP BY), so the planner's estimates stay sane and no source is read twice.
WITH signal AS (
    SELECT customer_id, true AS flagged, bool_or(urgency = 'urgent') AS urgent, NULL::int AS nps, NULL::int AS csat,
           0 AS urgent_t, 0 AS high_t, 0 AS escalated_t, 0 AS reopens, 0 AS old_open, 0 AS overdue, false AS carried
    FROM customers_flag
    WHERE status IN ('open', 'scheduled')
    GROUP BY customer_id
    UNION ALL
    SELECT customer_id, false, false,
           max(score) FILTER (WHERE kind = 'nps' AND score <= 6), max(score) FILTER (WHERE kind = 'csat' AND score <= 2),
           0, 0, 0, 0, 0, 0, false
    FROM (
        SELECT DISTINCT ON (customer_id, kind) customer_id, kind, score
        FROM customers_surveyresponse
        WHERE responded_at >= %(survey_since)s AND responded_at <= %(now)s
        ORDER BY customer_id, kind, responded_at DESC, id DESC
    ) latest
    GROUP BY customer_id
    UNION ALL
    SELECT customer_id, false, false, NULL::int, NULL::int,
           count(*) FILTER (WHERE priority = 'urgent'), count(*) FILTER (WHERE priority = 'high'),
           count(*) FILTER (WHERE escalated), coalesce(sum(reopen_count) FILTER (WHERE reopen_count > 0), 0),
           count(*) FILTER (WHERE status IN ('new', 'open', 'pending', 'hold') AND created_at <= %(old_open)s),
           0, false
    FROM (
        SELECT customer_id, priority, escalated, reopen_count, status, created_at
        FROM customers_supportticket
        WHERE created_at >= %(ticket_since)s AND created_at <= %(now)s
        UNION ALL
        SELECT customer_id, priority, escalated, reopen_count, status, created_at
        FROM customers_supportticket
        WHERE status IN ('new', 'open', 'pending', 'hold') AND created_at < %(ticket_since)s
    ) counted
    GROUP BY customer_id
    UNION ALL
    SELECT customer_id, false, false, NULL::int, NULL::int, 0, 0, 0, 0, 0, count(*), false
    FROM callsheets_commitment
    WHERE status = 'open' AND due_date < %(today)s
    GROUP BY customer_id
    UNION ALL
    SELECT DISTINCT e.customer_id, false, false, NULL::int, NULL::int, 0, 0, 0, 0, 0, 0, true
    FROM callsheets_sheetentry e JOIN callsheets_callsheet s ON s.id = e.sheet_id
    WHERE e.week_start = %(last_week)s AND e.status <> 'called'
      AND (e.status = 'skipped' OR s.slot_starts_at < %(now)s) AND s.built_at < s.slot_starts_at
      AND NOT EXISTS (SELECT 1 FROM callsheets_calllog c WHERE c.entry_id = e.id AND c.outcome = 'reached')
),
customer_signal AS (
    SELECT customer_id, bool_or(flagged) AS flagged, bool_or(urgent) AS urgent, max(nps) AS nps, max(csat) AS csat,
           sum(urgent_t) AS urgent_t, sum(high_t) AS high_t, sum(escalated_t) AS escalated_t, sum(reopens) AS reopens,
           sum(old_open) AS old_open, sum(overdue) AS overdue, bool_or(carried) AS carried
    FROM signal
    GROUP BY customer_id
    HAVING bool_or(flagged) OR max(nps) IS NOT NULL OR max(csat) IS NOT NULL OR sum(overdue) > 0 OR bool_or(carried)
        OR sum(urgent_t + high_t + escalated_t + reopens + old_open) > 0
),
points AS (
    SELECT customer_id, urgent,
           CASE WHEN urgent THEN %(w_urgent_flag)s WHEN flagged THEN %(w_flag)s ELSE 0 END
           + coalesce(%(w_nps)s * (7 - nps), 0) + coalesce(%(w_csat)s * (3 - csat), 0)
           + %(w_overdue)s * overdue + CASE WHEN carried THEN %(w_carried)s ELSE 0 END AS other_points,
           %(w_urgent_ticket)s * urgent_t + %(w_high_ticket)s * high_t + %(w_escalated)s * escalated_t
           + %(w_reopened)s * reopens + %(w_old_open)s * old_open AS ticket_points,
           overdue > 0 AS overdue
    FROM customer_signal
)
SELECT c.id,
       p.urgent,
       round(((p.other_points + CASE WHEN %(cap)s > 0 THEN least(p.ticket_points, %(cap)s) ELSE p.ticket_points END)
              * round((CASE c.tier WHEN 'strategic' THEN %(m_strategic)s WHEN 'enterprise' THEN %(m_enterprise)s
                                   WHEN 'mid_market' THEN %(m_mid_market)s ELSE %(m_smb)s END
                       * (1 + %(revenue_weight)s * CASE WHEN c.annual_revenue > 0
                                THEN greatest(0, log(c.annual_revenue::float / 10000)) ELSE 0 END))::numeric, 4)
             )::numeric, 2) AS score,
       c.lifecycle_status = 'churned' AS churned,
       r.customer_id IS NOT NULL AND NOT (p.urgent OR p.overdue) AS in_cooldown,
       EXISTS (SELECT 1 FROM customers_contact k
                WHERE k.customer_id = c.id AND NOT k.do_not_call AND k.phone <> '') AS callable
FROM points p
JOIN customers_customer c ON c.id = p.customer_id
LEFT JOIN (
    SELECT DISTINCT customer_id FROM callsheets_calllog WHERE outcome = 'reached' AND called_at > %(cooldown_since)s
) r ON r.customer_id = c.id
ORDER BY p.urgent DESC, score DESC, c.id
