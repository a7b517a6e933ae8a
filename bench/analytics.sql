-- Issue 14: the day-level rollup (public.sales_daily) and the canonical views.
--  1. The added cost of keeping the rollup (the C trigger on orders, order_items and
--     refunds, and the one write per call of what it gathered) per 100-order
--     woo.upsert_orders call: 5,000 new orders x 3 items (5 % with a refund, 10 % with
--     a coupon, three Berlin days per call) in 50
--     calls, each call its own transaction, as woo_app under RLS, each run into its own
--     empty store; the rollup triggers disabled ("without") and enabled ("with") in blocks
--     of 5 calls that alternate (so that a drift of the machine's load hits both sides
--     alike), twice; and, from the server's function statistics, the rollup functions'
--     own time per call (the attribution that the machine's load moves least). Once before
--     any ANALYZE (a freshly deployed database when run alone, BENCH_ONLY=analytics), once
--     analysed. The refund rows (public.refunds) are written
--     on both sides: only the rollup's maintenance differs.
--  2. Two years of daily net sales over 1,000,000 orders of one store: the canonical view
--     against the same aggregate over the raw tables, as woo_ai under RLS; and the views
--     that are computed from the raw tables (customers per day, products, coupons).
SET max_parallel_workers_per_gather = 0;
DO $$ DECLARE t text; BEGIN
    FOREACH t IN ARRAY ARRAY['orders', 'order_items', 'refunds', 'customers', 'products', 'sales_daily'] LOOP
        EXECUTE format('ALTER TABLE public.%I SET (autovacuum_enabled = false)', t);
    END LOOP;
END $$;

-- Store k of this benchmark: 1-8 for the calls, 0 for the 1,000,000 orders.
CREATE OR REPLACE FUNCTION bench.analytics_store(k int) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
    SELECT ('00000000-0000-4000-8000-0000000001' || lpad(k::text, 2, '0'))::uuid $$;
INSERT INTO public.stores (id, store_url, api_key_hash, settings)
SELECT bench.analytics_store(k), 'https://bench-rollup-' || k || '.example', 'x', '{"timezone": "Europe/Berlin"}'
  FROM generate_series(0, 8) k
ON CONFLICT DO NOTHING;

DROP TABLE IF EXISTS bench.analytics_batches;
CREATE TABLE bench.analytics_batches AS
SELECT b AS batch, jsonb_agg(o ORDER BY n) AS payload
  FROM (
    SELECT (n - 1) / 100 + 1 AS b, n, jsonb_build_object(
        'id', n, 'status', (ARRAY['processing', 'completed', 'on-hold', 'refunded'])[n % 4 + 1],
        'date_created_gmt', to_char(timestamp '2024-01-01' + n * interval '36 minutes', 'YYYY-MM-DD"T"HH24:MI:SS'),
        'date_modified_gmt', to_char(timestamp '2024-01-01' + n * interval '36 minutes' + interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS'),
        'total', to_char(3 * (n % 50 + 10) + 6.49, 'FM99990.00'), 'total_tax', '1.50', 'shipping_total', '4.99', 'discount_total',
        CASE WHEN n % 10 = 0 THEN '2.00' ELSE '0.00' END,
        'customer_id', CASE WHEN n % 5 = 0 THEN 0 ELSE n % 1000 + 1 END,
        'billing', jsonb_build_object('email', format('customer.%s@example.com', n % 1200)),
        'line_items', (SELECT jsonb_agg(jsonb_build_object('name', 'Product ' || ((n * 7 + k * 13) % 300 + 1),
                          'product_id', (n * 7 + k * 13) % 300 + 1, 'quantity', k,
                          'subtotal', to_char(n % 50 + 10, 'FM99990.00'), 'total', to_char(n % 50 + 10, 'FM99990.00')))
                         FROM generate_series(1, 3) k),
        'coupon_lines', CASE WHEN n % 10 = 0 THEN '[{"code": "spring"}]'::jsonb ELSE '[]'::jsonb END,
        'refunds', CASE WHEN n % 20 = 0 THEN '[{"id": 1, "total": "-5.00"}]'::jsonb ELSE '[]'::jsonb END) AS o
      FROM generate_series(1, 5000) n) x
 GROUP BY b;
GRANT SELECT ON bench.analytics_batches TO woo_app;

CREATE TABLE IF NOT EXISTS bench.analytics_calls (label text, batch int, ms numeric);
CREATE OR REPLACE PROCEDURE bench.analytics_load(label text, store uuid, lo int, hi int)
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    b record;
BEGIN
    FOR b IN SELECT batch, payload FROM bench.analytics_batches WHERE batch BETWEEN lo AND hi ORDER BY batch LOOP
        t0 := clock_timestamp();
        PERFORM set_config('woo.store_id', store::text, true);
        SET LOCAL ROLE woo_app;
        PERFORM woo.upsert_orders(store, b.payload);
        RESET ROLE;
        COMMIT;
        INSERT INTO bench.analytics_calls VALUES (label, b.batch, extract(epoch FROM clock_timestamp() - t0) * 1000);
        COMMIT;
    END LOOP;
END $$;
CREATE OR REPLACE PROCEDURE bench.analytics_triggers(enabled boolean)
LANGUAGE plpgsql AS $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['orders', 'order_items', 'refunds'] LOOP
        EXECUTE format('ALTER TABLE public.%I %s TRIGGER USER', t, CASE WHEN enabled THEN 'ENABLE' ELSE 'DISABLE' END);
    END LOOP;
    COMMIT;
END $$;
-- One pass: the 50 calls into two empty stores, one without the rollup and one with it, in
-- blocks of 5 calls that alternate sides (and which side goes first), so that both sides
-- meet the same machine load within a second of each other; the triggers are switched
-- before every block, so each side's first call of a block re-plans alike.
CREATE OR REPLACE PROCEDURE bench.analytics_run(cond text, s_without uuid, s_with uuid)
LANGUAGE plpgsql AS $$
DECLARE
    lo int;
    side boolean;
BEGIN
    FOR lo IN 1..50 BY 5 LOOP
        FOREACH side IN ARRAY CASE WHEN lo % 10 = 1 THEN ARRAY[false, true] ELSE ARRAY[true, false] END LOOP
            CALL bench.analytics_triggers(side);
            CALL bench.analytics_load(cond || CASE WHEN side THEN '|with' ELSE '|without' END,
                                      CASE WHEN side THEN s_with ELSE s_without END, lo, lo + 4);
        END LOOP;
    END LOOP;
    CALL bench.analytics_triggers(true);
END $$;
CREATE OR REPLACE FUNCTION bench.analytics_drift_rows(store uuid) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('woo.store_id', store::text, true);
    RETURN (SELECT count(*) FROM woo.analytics_drift(store));
END $$;
-- The rollup's own time, from the server's function statistics (track_functions): the
-- trigger function's and the flush's total time (what they call included) per call with
-- the rollup (the flush of an empty batch also runs on the other side: counted here).
CREATE TABLE IF NOT EXISTS bench.analytics_trigger_ms (cond text, ms numeric);
CREATE OR REPLACE PROCEDURE bench.analytics_trigger_time(cond text)
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO bench.analytics_trigger_ms
    SELECT cond, sum(total_time)::numeric / (SELECT count(*) FROM bench.analytics_calls WHERE label = cond || '|with')
      FROM pg_stat_user_functions WHERE schemaname = 'woo' AND funcname IN ('_sales_daily_trigger', '_sales_daily_flush');
END $$;

-- 1a. Before any ANALYZE (never analysed when this file runs alone on a fresh deployment).
TRUNCATE bench.analytics_calls;
TRUNCATE bench.analytics_trigger_ms;
SET track_functions = 'all';
SELECT pg_stat_reset();
CALL bench.analytics_run('never analysed', bench.analytics_store(1), bench.analytics_store(2));
CALL bench.analytics_run('never analysed', bench.analytics_store(3), bench.analytics_store(4));
SELECT pg_sleep(1.1);  -- the function statistics reach the shared counters when the session is idle
CALL bench.analytics_trigger_time('never analysed');
-- 1b. Analysed with the data in, then the same again into four new stores.
ANALYZE;
SELECT pg_stat_reset();
CALL bench.analytics_run('analysed', bench.analytics_store(5), bench.analytics_store(6));
CALL bench.analytics_run('analysed', bench.analytics_store(7), bench.analytics_store(8));
SELECT pg_sleep(1.1);
CALL bench.analytics_trigger_time('analysed');
RESET track_functions;
SELECT 'drift rows of the stores loaded with the rollup (must be 0): ' ||
       (SELECT sum(bench.analytics_drift_rows(bench.analytics_store(k))) FROM unnest(ARRAY[2, 4, 6, 8]) k) AS check;
INSERT INTO bench.results (section, label, ms, baseline, n)
SELECT 'rollup: one woo.upsert_orders call of 100 new orders x 3 items (median of 2 x 50 calls, one transaction each), ' || split_part(label, '|', 1),
       CASE split_part(label, '|', 2) WHEN 'with' THEN 'with the rollup kept (C trigger, one rollup write per call)' ELSE 'rollup triggers disabled' END,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::numeric, 2), split_part(label, '|', 2) = 'without', 100
  FROM bench.analytics_calls GROUP BY label ORDER BY split_part(label, '|', 1) DESC, split_part(label, '|', 2) DESC;
SELECT c.cond,
       round(avg(c.ms) FILTER (WHERE c.label LIKE '%|without'), 2) AS without_mean_ms,
       round(avg(c.ms) FILTER (WHERE c.label LIKE '%|with'), 2) AS with_mean_ms,
       round(100 * (avg(c.ms) FILTER (WHERE c.label LIKE '%|with') / avg(c.ms) FILTER (WHERE c.label LIKE '%|without') - 1), 1) AS added_mean_percent,
       round(100 * (percentile_cont(0.5) WITHIN GROUP (ORDER BY c.ms) FILTER (WHERE c.label LIKE '%|with')
                    / percentile_cont(0.5) WITHIN GROUP (ORDER BY c.ms) FILTER (WHERE c.label LIKE '%|without') - 1)::numeric, 1) AS added_median_percent,
       round(max(t.ms), 2) AS trigger_ms_per_call,
       round(100 * max(t.ms) / (percentile_cont(0.5) WITHIN GROUP (ORDER BY c.ms) FILTER (WHERE c.label LIKE '%|without'))::numeric, 1)
           AS trigger_time_percent_of_median_call
  FROM (SELECT split_part(label, '|', 1) AS cond, label, ms FROM bench.analytics_calls) c
  JOIN bench.analytics_trigger_ms t ON t.cond = c.cond
 GROUP BY c.cond ORDER BY c.cond DESC;

-- 2. 1,000,000 orders over two years (2023-2024, Berlin days), one line item each, 100,000
-- customers, 2 % with a refund dated 3 days later, 10 % with a coupon; the rollup rebuilt
-- by woo.repair_analytics and the customers' metrics by woo.recompute_customer_metrics.
CALL bench.analytics_triggers(false);
INSERT INTO public.customers (store_id, wc_customer_id, email_hash)
SELECT '00000000-0000-4000-8000-000000000100', c, md5(c::text) || md5(c::text) FROM generate_series(1, 100000) c;
INSERT INTO public.products (store_id, wc_product_id, name)
SELECT '00000000-0000-4000-8000-000000000100', p, 'Product ' || p FROM generate_series(1, 500) p;
INSERT INTO public.orders (store_id, wc_order_id, date_created, date_modified, status, total, tax_total, shipping_total, discount_total,
                           customer_id, coupon_used)
SELECT '00000000-0000-4000-8000-000000000100', n, timestamptz '2023-01-01 00:00+00' + n * interval '63 seconds',
       timestamptz '2023-01-01 00:00+00' + n * interval '63 seconds',
       (ARRAY['processing', 'completed', 'completed', 'cancelled', 'refunded'])[n % 5 + 1],
       (n % 200 + 10)::numeric(12,2), 1.50, 4.99, (n % 7)::numeric(12,2), c.id, CASE WHEN n % 10 = 0 THEN 'spring' END
  FROM generate_series(1, 1000000) n
  JOIN public.customers c ON c.store_id = '00000000-0000-4000-8000-000000000100' AND c.wc_customer_id = (n::bigint * 7919) % 100000 + 1;
INSERT INTO public.order_items (order_id, store_id, product_id, product_name, quantity, subtotal, total)
SELECT o.id, o.store_id, p.id, p.name, 1 + o.wc_order_id % 3, o.total - 6.49, o.total - 6.49 - o.discount_total
  FROM public.orders o JOIN public.products p ON p.store_id = o.store_id AND p.wc_product_id = o.wc_order_id % 500 + 1
 WHERE o.store_id = '00000000-0000-4000-8000-000000000100';
INSERT INTO public.refunds (store_id, order_id, wc_refund_id, amount, date_created, date_exact)
SELECT o.store_id, o.id, 1, 5.00, o.date_created + interval '3 days', true
  FROM public.orders o WHERE o.store_id = '00000000-0000-4000-8000-000000000100' AND o.wc_order_id % 50 = 0;
CALL bench.analytics_triggers(true);
ANALYZE;
DO $$ BEGIN
    PERFORM set_config('woo.store_id', '00000000-0000-4000-8000-000000000100', true);
    PERFORM woo.repair_analytics('00000000-0000-4000-8000-000000000100');
    PERFORM woo.recompute_customer_metrics('00000000-0000-4000-8000-000000000100');
END $$;
VACUUM ANALYZE public.orders, public.order_items, public.refunds, public.customers, public.sales_daily;
GRANT USAGE ON SCHEMA bench TO woo_ai;
INSERT INTO bench.results (section, label, ms, baseline, n) VALUES
 ('two years of daily net sales, 1,000,000 orders of one store (Europe/Berlin days, excluded statuses, refunds on their day), as woo_ai under RLS, best of 5',
  'raw tables: GROUP BY local day over orders + refunds',
  bench.time_ms_as($q$
    SELECT day, sum(net) FROM (
        SELECT (o.date_created AT TIME ZONE 'Europe/Berlin')::date AS day, o.total - o.tax_total - o.shipping_total AS net
          FROM orders o WHERE o.status NOT IN ('pending', 'failed', 'cancelled', 'trash', 'checkout-draft')
        UNION ALL
        SELECT (r.date_created AT TIME ZONE 'Europe/Berlin')::date, -r.amount
          FROM refunds r JOIN orders o ON o.id = r.order_id
         WHERE o.status NOT IN ('pending', 'failed', 'cancelled', 'trash', 'checkout-draft')) x
     WHERE day BETWEEN '2023-01-01' AND '2024-12-31' GROUP BY day ORDER BY day$q$,
    'woo_ai', '00000000-0000-4000-8000-000000000100', 5), true, NULL),
 ('two years of daily net sales, 1,000,000 orders of one store (Europe/Berlin days, excluded statuses, refunds on their day), as woo_ai under RLS, best of 5',
  'canonical view metrics_daily (the rollup)',
  bench.time_ms_as($q$SELECT day, net_sales FROM metrics_daily WHERE day BETWEEN '2023-01-01' AND '2024-12-31' ORDER BY day$q$,
    'woo_ai', '00000000-0000-4000-8000-000000000100', 5), false, NULL),
 ('two years of daily net sales, 1,000,000 orders of one store (Europe/Berlin days, excluded statuses, refunds on their day), as woo_ai under RLS, best of 5',
  'the same through woo.ai_query (called by woo_app)',
  bench.time_ms_as($q$SELECT count(*) FROM woo.ai_query('SELECT day, net_sales FROM metrics_daily WHERE day BETWEEN ''2023-01-01'' AND ''2024-12-31'' ORDER BY day')$q$,
    'woo_app', '00000000-0000-4000-8000-000000000100', 5), false, NULL),
 ('views computed from the raw tables, the same 1,000,000-order store, as woo_ai, best of 3',
  'metrics_daily with new and returning customers, two years',
  bench.time_ms_as($q$SELECT day, new_customers, returning_customers FROM metrics_daily WHERE day BETWEEN '2023-01-01' AND '2024-12-31'$q$,
    'woo_ai', '00000000-0000-4000-8000-000000000100', 3), true, NULL),
 ('views computed from the raw tables, the same 1,000,000-order store, as woo_ai, best of 3',
  'metrics_product_daily: top 10 products of the last 30 days',
  bench.time_ms_as($q$SELECT product_name, sum(units) FROM metrics_product_daily WHERE day > '2024-12-01' GROUP BY 1 ORDER BY 2 DESC LIMIT 10$q$,
    'woo_ai', '00000000-0000-4000-8000-000000000100', 3), false, NULL),
 ('views computed from the raw tables, the same 1,000,000-order store, as woo_ai, best of 3',
  'metrics_coupon_daily: discount per code per month, two years',
  bench.time_ms_as($q$SELECT date_trunc('month', day), coupon_code, sum(discount) FROM metrics_coupon_daily GROUP BY 1, 2$q$,
    'woo_ai', '00000000-0000-4000-8000-000000000100', 3), false, NULL);

-- Clean up: the benchmark's stores go (later sections run as before), autovacuum back on.
CALL bench.analytics_triggers(false);
DO $$ DECLARE t text; BEGIN
    FOREACH t IN ARRAY ARRAY['refunds', 'order_items', 'orders', 'sales_daily', 'customers', 'products'] LOOP
        EXECUTE format('DELETE FROM public.%I WHERE store_id::text LIKE ''00000000-0000-4000-8000-0000000001__''', t);
    END LOOP;
END $$;
CALL bench.analytics_triggers(true);
DO $$ DECLARE t text; BEGIN
    FOREACH t IN ARRAY ARRAY['orders', 'order_items', 'refunds', 'customers', 'products', 'sales_daily'] LOOP
        EXECUTE format('ALTER TABLE public.%I RESET (autovacuum_enabled)', t);
    END LOOP;
END $$;
