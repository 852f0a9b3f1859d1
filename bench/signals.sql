-- The limit beside the weekly build: one hand-written query computing, for every customer with an
-- alarm, the builder's signals (flag, latest low NPS/CSAT, ticket counts, overdue promises, carried
-- over), its score by the README's formula, and whether it may be called at all (churned, cooldown,
-- a callable contact), ranked as the builder ranks. Parameters come from the active scoring policy.
WITH flags AS (
    SELECT customer_id, bool_or(urgency = 'urgent') AS urgent
    FROM customers_flag
    WHERE status IN ('open', 'scheduled')
    GROUP BY customer_id
),
latest_answer AS (
    SELECT DISTINCT ON (customer_id, kind) customer_id, kind, score
    FROM customers_surveyresponse
    WHERE responded_at >= %(survey_since)s AND responded_at <= %(now)s
    ORDER BY customer_id, kind, responded_at DESC, id DESC
),
surveys AS (
    SELECT customer_id,
           max(score) FILTER (WHERE kind = 'nps' AND score <= 6) AS nps,
           max(score) FILTER (WHERE kind = 'csat' AND score <= 2) AS csat
    FROM latest_answer
    GROUP BY customer_id
    HAVING bool_or((kind = 'nps' AND score <= 6) OR (kind = 'csat' AND score <= 2))
),
counted_tickets AS (
    SELECT customer_id, priority, escalated, reopen_count, status, created_at
    FROM customers_supportticket
    WHERE created_at >= %(ticket_since)s AND created_at <= %(now)s
    UNION ALL
    SELECT customer_id, priority, escalated, reopen_count, status, created_at
    FROM customers_supportticket
    WHERE status IN ('new', 'open', 'pending', 'hold') AND created_at < %(ticket_since)s
),
tickets AS (
    SELECT customer_id,
           count(*) FILTER (WHERE priority = 'urgent') AS urgent,
           count(*) FILTER (WHERE priority = 'high') AS high,
           count(*) FILTER (WHERE escalated) AS escalated,
           coalesce(sum(reopen_count) FILTER (WHERE reopen_count > 0), 0) AS reopens,
           count(*) FILTER (WHERE status IN ('new', 'open', 'pending', 'hold') AND created_at <= %(old_open)s) AS old_open
    FROM counted_tickets
    GROUP BY customer_id
),
overdue AS (
    SELECT customer_id, count(*) AS n
    FROM callsheets_commitment
    WHERE status = 'open' AND due_date < %(today)s
    GROUP BY customer_id
),
carried AS (
    SELECT DISTINCT e.customer_id
    FROM callsheets_sheetentry e JOIN callsheets_callsheet s ON s.id = e.sheet_id
    WHERE e.week_start = %(last_week)s AND e.status <> 'called'
      AND (e.status = 'skipped' OR s.slot_starts_at < %(now)s) AND s.built_at < s.slot_starts_at
      AND NOT EXISTS (SELECT 1 FROM callsheets_calllog c WHERE c.entry_id = e.id AND c.outcome = 'reached')
),
alarmed AS (
    SELECT customer_id FROM flags
    UNION SELECT customer_id FROM surveys
    UNION SELECT customer_id FROM tickets WHERE urgent + high + escalated + reopens + old_open > 0
    UNION SELECT customer_id FROM overdue
    UNION SELECT customer_id FROM carried
),
points AS (
    SELECT a.customer_id,
           coalesce(f.urgent, false) AS urgent,
           CASE WHEN f.urgent THEN %(w_urgent_flag)s WHEN f.customer_id IS NOT NULL THEN %(w_flag)s ELSE 0 END
           + coalesce(%(w_nps)s * (7 - s.nps), 0) + coalesce(%(w_csat)s * (3 - s.csat), 0)
           + coalesce(%(w_overdue)s * o.n, 0) + CASE WHEN co.customer_id IS NULL THEN 0 ELSE %(w_carried)s END
           AS other_points,
           coalesce(%(w_urgent_ticket)s * t.urgent + %(w_high_ticket)s * t.high + %(w_escalated)s * t.escalated
                    + %(w_reopened)s * t.reopens + %(w_old_open)s * t.old_open, 0) AS ticket_points
    FROM alarmed a
    LEFT JOIN flags f ON f.customer_id = a.customer_id
    LEFT JOIN surveys s ON s.customer_id = a.customer_id
    LEFT JOIN tickets t ON t.customer_id = a.customer_id
    LEFT JOIN overdue o ON o.customer_id = a.customer_id
    LEFT JOIN carried co ON co.customer_id = a.customer_id
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
       (SELECT max(l.called_at) FROM callsheets_calllog l
         WHERE l.customer_id = c.id AND l.outcome = 'reached') > %(cooldown_since)s AS in_cooldown,
       EXISTS (SELECT 1 FROM customers_contact k
                WHERE k.customer_id = c.id AND NOT k.do_not_call AND k.phone <> '') AS callable
FROM points p JOIN customers_customer c ON c.id = p.customer_id
ORDER BY p.urgent DESC, score DESC, c.id
