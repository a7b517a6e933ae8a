-- pg_woocommerce 1.2 -> 1.3: customer lifetime metrics.

\echo Use "ALTER EXTENSION pg_woocommerce UPDATE TO '1.3'" to load this file. \quit

-- Customer lifetime metrics (1.3) -----------------------------------------------------

-- The statuses that do not count, for a store: stores.settings->'excluded_statuses'
-- (a JSON array of strings) or WooCommerce Analytics' defaults plus drafts.
CREATE FUNCTION woo.excluded_statuses(store_id uuid) RETURNS text[]
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN coalesce(
        (SELECT array_agg(x) FROM public.stores s, jsonb_array_elements_text(
                 CASE WHEN jsonb_typeof(s.settings->'excluded_statuses') = 'array' THEN s.settings->'excluded_statuses' END) x
          WHERE s.id = excluded_statuses.store_id),
        ARRAY['pending', 'failed', 'cancelled', 'trash', 'checkout-draft']);
END $$;
COMMENT ON FUNCTION woo.excluded_statuses(uuid) IS
    'Order statuses not counted in customer metrics for a store (settings.excluded_statuses, else the defaults)';

-- The metrics as the orders say they are: one row per customer of the store
-- (only `customer_ids` when given), counted orders only, net of refunds.
CREATE FUNCTION woo.expected_customer_metrics(store_id uuid, customer_ids uuid[] DEFAULT NULL)
    RETURNS TABLE (customer_id uuid, total_spent numeric(12,2), order_count integer,
                   first_order_date timestamptz, last_order_date timestamptz)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    excluded text[] := woo.excluded_statuses(expected_customer_metrics.store_id);
BEGIN
    RETURN QUERY
    SELECT c.id, coalesce(m.spent, 0)::numeric(12,2), coalesce(m.n, 0)::integer, m.first, m.last
      FROM public.customers c
      LEFT JOIN (
            SELECT o.customer_id, sum(o.total - o.refunded_total) AS spent, count(*) AS n,
                   min(o.date_created) AS first, max(o.date_created) AS last
              FROM public.orders o
             WHERE o.store_id = expected_customer_metrics.store_id
               AND o.customer_id IS NOT NULL
               AND (expected_customer_metrics.customer_ids IS NULL OR o.customer_id = ANY (expected_customer_metrics.customer_ids))
               AND o.status <> ALL (excluded)
             GROUP BY o.customer_id) m ON m.customer_id = c.id
     WHERE c.store_id = expected_customer_metrics.store_id
       AND (expected_customer_metrics.customer_ids IS NULL OR c.id = ANY (expected_customer_metrics.customer_ids));
END $$;
COMMENT ON FUNCTION woo.expected_customer_metrics(uuid, uuid[]) IS
    'Customer metrics recomputed from the orders (what woo.recompute_customer_metrics writes)';

CREATE FUNCTION woo.recompute_customer_metrics(store_id uuid, customer_ids uuid[] DEFAULT NULL) RETURNS integer
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    changed integer;
BEGIN
    IF store_id IS NULL THEN
        RAISE EXCEPTION 'woo.recompute_customer_metrics: store_id must not be NULL' USING ERRCODE = '22004';
    END IF;
    IF store_id IS DISTINCT FROM woo.current_store() THEN
        RAISE EXCEPTION 'store_id % is not the store bound to this transaction', store_id USING ERRCODE = '42501';
    END IF;
    -- Only rows whose values differ are rewritten; rows are locked in id order.
    UPDATE public.customers c
       SET total_spent = e.total_spent, order_count = e.order_count,
           first_order_date = e.first_order_date, last_order_date = e.last_order_date
      FROM woo.expected_customer_metrics(recompute_customer_metrics.store_id, customer_ids) e
     WHERE c.id = e.customer_id AND c.store_id = recompute_customer_metrics.store_id
       AND (c.total_spent, c.order_count, c.first_order_date, c.last_order_date)
           IS DISTINCT FROM (e.total_spent, e.order_count, e.first_order_date, e.last_order_date);
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed;
END $$;
COMMENT ON FUNCTION woo.recompute_customer_metrics(uuid, uuid[]) IS
    'Recomputes total_spent, order_count, first/last_order_date of the given customers (all when NULL); returns rows changed';

CREATE FUNCTION woo.customer_metrics_drift(store_id uuid)
    RETURNS TABLE (customer_id uuid, column_name text, stored text, expected text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN QUERY
    SELECT c.id, d.column_name, d.stored, d.expected
      FROM public.customers c
      JOIN woo.expected_customer_metrics(customer_metrics_drift.store_id) e ON e.customer_id = c.id
     CROSS JOIN LATERAL (VALUES
            ('total_spent', c.total_spent::text, e.total_spent::text),
            ('order_count', c.order_count::text, e.order_count::text),
            ('first_order_date', c.first_order_date::text, e.first_order_date::text),
            ('last_order_date', c.last_order_date::text, e.last_order_date::text)) AS d(column_name, stored, expected)
     WHERE c.store_id = customer_metrics_drift.store_id AND d.stored IS DISTINCT FROM d.expected
     ORDER BY c.id, d.column_name;
END $$;
COMMENT ON FUNCTION woo.customer_metrics_drift(uuid) IS
    'Customer metric values that differ from what the orders say (empty when all is right)';

REVOKE ALL ON FUNCTION woo.excluded_statuses(uuid), woo.expected_customer_metrics(uuid, uuid[]),
                       woo.recompute_customer_metrics(uuid, uuid[]), woo.customer_metrics_drift(uuid) FROM PUBLIC;
