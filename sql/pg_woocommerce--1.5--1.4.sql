-- pg_woocommerce 1.5 -> 1.4. Each issue's part is delimited by "-- ==== issue N" markers.

\echo Use "ALTER EXTENSION pg_woocommerce UPDATE TO '1.4'" to load this file. \quit

-- ==== issue 12: stores, API keys, saved charts, conversations, store lifecycle ====
DROP FUNCTION woo.sync_cursor(uuid, text), woo.append_message(uuid, text, text, jsonb), woo.start_conversation(uuid),
              woo._redact_emails_jsonb(jsonb), woo.redact_emails(text), woo.move_chart(uuid, integer), woo.delete_chart(uuid), woo.run_chart(uuid, integer),
              woo.update_chart(uuid, text, text, jsonb), woo.save_chart(uuid, text, text, jsonb, integer),
              woo._check_chart_fields(text, text, jsonb), woo._check_chart_config(jsonb), woo.check_ai_query(text),
              woo.forget_customer(uuid, text), woo.purge_store(uuid), woo.deactivate_store(uuid),
              woo.configure_store(uuid, jsonb), woo.rotate_store_key(uuid, text), woo.verify_store_key(text, text),
              woo.register_store(text, text, text, text, jsonb), woo._check_store_settings(jsonb),
              woo._api_key_matches(text, text), woo._hash_api_key(text, text), woo.normalize_store_url(text);

-- woo.sync_finish as in 1.4 (no stores.last_sync_at).
CREATE OR REPLACE FUNCTION woo.sync_finish(sync_id uuid, records integer, error text DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF sync_id IS NULL OR records IS NULL OR records < 0 THEN
        RAISE EXCEPTION 'woo.sync_finish: sync_id and a non-negative records count are required' USING ERRCODE = '22004';
    END IF;
    -- A failure schedules a retry: 1 minute, doubling with each failure, at most 6 hours.
    UPDATE public.sync_logs s
       SET records_synced = records,
           completed_at   = now(),
           status         = CASE WHEN error IS NULL THEN 'completed' ELSE 'failed' END,
           error_message  = error,
           retry_count    = s.retry_count + (error IS NOT NULL)::int,
           next_retry_at  = CASE WHEN error IS NULL THEN NULL
                                 ELSE now() + least(interval '1 minute' * power(2, s.retry_count), interval '6 hours') END
     WHERE s.id = sync_id AND s.status IN ('running', 'failed');
    IF NOT FOUND THEN
        RAISE EXCEPTION 'woo.sync_finish: no running or failed sync % in the bound store', sync_id USING ERRCODE = 'P0002';
    END IF;
END $$;
-- ==== end issue 12 ====

-- ==== issue 9: woo.ai_query budgets ====
DROP FUNCTION woo._checkpoint(anyelement);
-- ==== end issue 9 ====

-- ==== issue 10: lifetime totals saturate at numeric(12,2) ====
-- The 1.4 bodies of the customer metrics functions.
CREATE OR REPLACE FUNCTION woo.expected_customer_metrics(store_id uuid, customer_ids uuid[] DEFAULT NULL)
    RETURNS TABLE (customer_id uuid, total_spent numeric(12,2), order_count integer,
                   first_order_date timestamptz, last_order_date timestamptz)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    excluded text[] := woo.excluded_statuses(expected_customer_metrics.store_id);
BEGIN
    IF customer_ids IS NULL THEN
        -- The whole store: one pass over its orders.
        RETURN QUERY
        SELECT c.id, coalesce(m.spent, 0)::numeric(12,2), coalesce(m.n, 0)::integer, m.first, m.last
          FROM public.customers c
          LEFT JOIN (
                SELECT o.customer_id, sum(o.total - o.refunded_total) AS spent, count(*) AS n,
                       min(o.date_created) AS first, max(o.date_created) AS last
                  FROM public.orders o
                 WHERE o.store_id = expected_customer_metrics.store_id
                   AND o.customer_id IS NOT NULL
                   AND o.status <> ALL (excluded)
                 GROUP BY o.customer_id) m ON m.customer_id = c.id
         WHERE c.store_id = expected_customer_metrics.store_id;
    ELSE
        -- Some customers (an upsert's): each one's orders through idx_orders_store_customer.
        -- This shape does not depend on statistics, which lag far behind during a
        -- bulk load: a join planned on them re-aggregated the orders once per customer.
        RETURN QUERY
        SELECT c.id, coalesce(m.spent, 0)::numeric(12,2), m.n::integer, m.first, m.last
          FROM public.customers c
         CROSS JOIN LATERAL (
                SELECT sum(o.total - o.refunded_total) AS spent, count(*) AS n,
                       min(o.date_created) AS first, max(o.date_created) AS last
                  FROM public.orders o
                 WHERE o.store_id = expected_customer_metrics.store_id
                   AND o.customer_id = c.id
                   AND o.status <> ALL (excluded)) m
         WHERE c.id = ANY (expected_customer_metrics.customer_ids)
           AND c.store_id = expected_customer_metrics.store_id;
    END IF;
END $$;
COMMENT ON FUNCTION woo.expected_customer_metrics(uuid, uuid[]) IS
    'Customer metrics recomputed from the orders (what woo.recompute_customer_metrics writes)';

CREATE OR REPLACE FUNCTION woo.recompute_customer_metrics(store_id uuid, customer_ids uuid[] DEFAULT NULL) RETURNS integer
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    changed integer;
    excluded text[];
BEGIN
    IF store_id IS NULL THEN
        RAISE EXCEPTION 'woo.recompute_customer_metrics: store_id must not be NULL' USING ERRCODE = '22004';
    END IF;
    IF store_id IS DISTINCT FROM woo.current_store() THEN
        RAISE EXCEPTION 'store_id % is not the store bound to this transaction', store_id USING ERRCODE = '42501';
    END IF;
    -- Only rows whose values differ are rewritten; rows are locked in id order.
    -- Given customers are reached by primary key, whatever the statistics say.
    IF customer_ids IS NULL THEN
        -- The whole store: woo.expected_customer_metrics(store) written out in the
        -- UPDATE, so the planner joins it (a function scan would be materialised
        -- and probed row by row).
        excluded := woo.excluded_statuses(recompute_customer_metrics.store_id);
        UPDATE public.customers c
           SET total_spent = e.total_spent, order_count = e.order_count,
               first_order_date = e.first_order_date, last_order_date = e.last_order_date
          FROM (SELECT c2.id, coalesce(m.spent, 0)::numeric(12,2) AS total_spent, coalesce(m.n, 0)::integer AS order_count,
                       m.first AS first_order_date, m.last AS last_order_date
                  FROM public.customers c2
                  LEFT JOIN (SELECT o.customer_id, sum(o.total - o.refunded_total) AS spent, count(*) AS n,
                                    min(o.date_created) AS first, max(o.date_created) AS last
                               FROM public.orders o
                              WHERE o.store_id = recompute_customer_metrics.store_id
                                AND o.customer_id IS NOT NULL
                                AND o.status <> ALL (excluded)
                              GROUP BY o.customer_id) m ON m.customer_id = c2.id
                 WHERE c2.store_id = recompute_customer_metrics.store_id) e
         WHERE c.id = e.id AND c.store_id = recompute_customer_metrics.store_id
           AND (c.total_spent, c.order_count, c.first_order_date, c.last_order_date)
               IS DISTINCT FROM (e.total_spent, e.order_count, e.first_order_date, e.last_order_date);
    ELSE
        -- Lock first, compute after, in two statements: the UPDATE's snapshot is then
        -- taken once any concurrent writer of these customers has committed, so it
        -- counts that writer's orders too (a single UPDATE ... FROM would compute
        -- from an older snapshot while it waits for the row lock, and write that).
        -- NO KEY UPDATE does not conflict with the KEY SHARE of orders' foreign keys.
        PERFORM 1 FROM public.customers c
          WHERE c.id = ANY (customer_ids) AND c.store_id = recompute_customer_metrics.store_id
          ORDER BY c.id FOR NO KEY UPDATE;
        UPDATE public.customers c
           SET total_spent = e.total_spent, order_count = e.order_count,
               first_order_date = e.first_order_date, last_order_date = e.last_order_date
          FROM woo.expected_customer_metrics(recompute_customer_metrics.store_id, customer_ids) e
         WHERE c.id = ANY (customer_ids) AND c.id = e.customer_id
           AND c.store_id = recompute_customer_metrics.store_id
           AND (c.total_spent, c.order_count, c.first_order_date, c.last_order_date)
               IS DISTINCT FROM (e.total_spent, e.order_count, e.first_order_date, e.last_order_date);
    END IF;
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed;
END $$;
COMMENT ON FUNCTION woo.recompute_customer_metrics(uuid, uuid[]) IS
    'Recomputes total_spent, order_count, first/last_order_date of the given customers (all when NULL); returns rows changed';
-- ==== end issue 10 ====
