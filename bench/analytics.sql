-- Issue 14: the day-level rollups.
--  1. The added cost of keeping them (triggers on orders, order_items, refunds) per
--     100-order woo.upsert_orders call: 5,000 orders x 3 items (5% with a refund) in
--     50 calls, rollup triggers disabled vs enabled, into empty stores, as woo_app under
--     RLS; on a never-analysed database (autovacuum off) and again after ANALYZE.
--  2. Two years of daily net sales over 1,000,000 orders of one store: the canonical
--     view (rollup) against the same aggregate over the raw tables, as woo_ai under RLS.
SET max_parallel_workers_per_gather = 0;
DO $$ DECLARE t text; BEGIN
    FOREACH t IN ARRAY ARRAY['orders', 'order_items', 'refunds', 'customers', 'products', 'sales_daily',
                             'product_sales_daily', 'coupon_sales_daily'] LOOP
        EXECUTE format('ALTER TABLE public.%I SET (autovacuum_enabled = false)', t);
    END LOOP;
END $$;

INSERT INTO public.stores (id, store_url, api_key_hash, settings) VALUES
    ('00000000-0000-4000-8000-0000000000a1', 'https://bench-rollup-off.example', 'x', '{"timezone": "Europe/Berlin"}'),
    ('00000000-0000-4000-8000-0000000000a2', 'https://bench-rollup-on.example', 'x', '{"timezone": "Europe/Berlin"}'),
    ('00000000-0000-4000-8000-0000000000a3', 'https://bench-rollup-1m.example', 'x', '{"timezone": "Europe/Berlin"}')
ON CONFLICT DO NOTHING;

DROP TABLE IF EXISTS bench.analytics_batches;
CREATE TABLE bench.analytics_batches AS
SELECT b AS batch, jsonb_agg(o ORDER BY n) AS payload
  FROM (
    SELECT (n - 1) / 100 + 1 AS b, n, jsonb_build_object(
        'id', n, 'status', (ARRAY['processing', 'completed', 'on-hold', 'refunded'])[n % 4 + 1],
        'date_created_gmt', to_char(timestamp '2024-01-01' + n * interval '7 minutes', 'YYYY-MM-DD"T"HH24:MI:SS'),
        'date_modified_gmt', to_char(timestamp '2024-01-01' + n * interval '7 minutes' + interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS'),
        'total', to_char(3 * (n % 50 + 10) + 4.99, 'FM99990.00'), 'total_tax', '1.50', 'shipping_total', '4.99', 'discount_total', '0.00',
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

CREATE OR REPLACE FUNCTION bench.analytics_load_ms(store uuid) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    b record;
BEGIN
    PERFORM set_config('woo.store_id', store::text, true);
    SET LOCAL ROLE woo_app;
    t0 := clock_timestamp();
    FOR b IN SELECT payload FROM bench.analytics_batches ORDER BY batch LOOP
        PERFORM woo.upsert_orders(store, b.payload);
    END LOOP;
    RESET ROLE;
    RETURN round(extract(epoch FROM clock_timestamp() - t0) * 1000 / 50, 2);  -- per 100-order call
END $$;
CREATE OR REPLACE FUNCTION bench.analytics_triggers(enabled boolean) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['orders', 'order_items', 'refunds'] LOOP
        EXECUTE format('ALTER TABLE public.%I %s TRIGGER USER', t, CASE WHEN enabled THEN 'ENABLE' ELSE 'DISABLE' END);
    END LOOP;
END $$;
CREATE OR REPLACE FUNCTION bench.analytics_empty() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bench.analytics_triggers(false);
    DELETE FROM public.refunds WHERE store_id IN ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2');
    DELETE FROM public.order_items WHERE store_id IN ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2');
    DELETE FROM public.orders WHERE store_id IN ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2');
    DELETE FROM public.customers WHERE store_id IN ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2');
    DELETE FROM public.products WHERE store_id IN ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2');
    DELETE FROM public.sales_daily WHERE store_id IN ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2');
    DELETE FROM public.product_sales_daily WHERE store_id IN ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2');
    DELETE FROM public.coupon_sales_daily WHERE store_id IN ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2');
    PERFORM bench.analytics_triggers(true);
END $$;

-- 1a. Never analysed (pg_class.reltuples = -1 for orders here).
CREATE TEMP TABLE analytics_cost (cond text, rollups boolean, ms numeric);
SELECT bench.analytics_triggers(false);
INSERT INTO analytics_cost SELECT 'never analysed', false, bench.analytics_load_ms('00000000-0000-4000-8000-0000000000a1');
SELECT bench.analytics_triggers(true);
INSERT INTO analytics_cost SELECT 'never analysed', true, bench.analytics_load_ms('00000000-0000-4000-8000-0000000000a2');
DO $$ BEGIN
    PERFORM set_config('woo.store_id', '00000000-0000-4000-8000-0000000000a2', true);
    IF EXISTS (SELECT 1 FROM woo.analytics_drift('00000000-0000-4000-8000-0000000000a2')) THEN
        RAISE EXCEPTION 'the rollups drifted during the benchmark';
    END IF;
END $$;
-- 1b. Analysed with the data in (as autovacuum would), then emptied, loaded again.
ANALYZE;
SELECT bench.analytics_empty();
CHECKPOINT;
SELECT bench.analytics_triggers(false);
INSERT INTO analytics_cost SELECT 'analysed', false, bench.analytics_load_ms('00000000-0000-4000-8000-0000000000a1');
SELECT bench.analytics_triggers(true);
INSERT INTO analytics_cost SELECT 'analysed', true, bench.analytics_load_ms('00000000-0000-4000-8000-0000000000a2');
INSERT INTO bench.results (section, label, ms, baseline, n)
SELECT 'rollups: one woo.upsert_orders call of 100 orders x 3 items, ' || cond,
       CASE WHEN rollups THEN 'with the rollup triggers' ELSE 'rollup triggers disabled' END, ms, NOT rollups, 100
  FROM analytics_cost ORDER BY cond DESC, rollups;
SELECT cond, round(100 * (max(ms) FILTER (WHERE rollups) / max(ms) FILTER (WHERE NOT rollups) - 1), 1) AS added_cost_percent
  FROM analytics_cost GROUP BY cond ORDER BY cond DESC;

-- 2. 1,000,000 orders over two years (2023-2024), 2% with a refund dated 3 days later.
SELECT bench.analytics_triggers(false);
INSERT INTO public.orders (store_id, wc_order_id, date_created, date_modified, status, total, tax_total, shipping_total, discount_total)
SELECT '00000000-0000-4000-8000-0000000000a3', n, timestamptz '2023-01-01 00:00+00' + n * interval '63 seconds',
       timestamptz '2023-01-01 00:00+00' + n * interval '63 seconds',
       (ARRAY['processing', 'completed', 'completed', 'cancelled', 'refunded'])[n % 5 + 1],
       (n % 200 + 10)::numeric(12,2), 1.50, 4.99, (n % 7)::numeric(12,2)
  FROM generate_series(1, 1000000) n;
INSERT INTO public.refunds (store_id, order_id, wc_refund_id, amount, date_created, date_exact)
SELECT o.store_id, o.id, 1, 5.00, o.date_created + interval '3 days', true
  FROM public.orders o WHERE o.store_id = '00000000-0000-4000-8000-0000000000a3' AND o.wc_order_id % 50 = 0;
SELECT bench.analytics_triggers(true);
DO $$ BEGIN
    PERFORM set_config('woo.store_id', '00000000-0000-4000-8000-0000000000a3', true);
    PERFORM woo.repair_analytics('00000000-0000-4000-8000-0000000000a3');
END $$;
ANALYZE;
GRANT USAGE ON SCHEMA bench TO woo_ai;
INSERT INTO bench.results (section, label, ms, baseline, n) VALUES
 ('two years of daily net sales, 1,000,000 orders (Europe/Berlin days, excluded statuses, refunds on their day)',
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
    'woo_ai', '00000000-0000-4000-8000-0000000000a3', 3), true, NULL),
 ('two years of daily net sales, 1,000,000 orders (Europe/Berlin days, excluded statuses, refunds on their day)',
  'canonical view metrics_daily (rollup)',
  bench.time_ms_as($q$SELECT day, net_sales FROM metrics_daily WHERE day BETWEEN '2023-01-01' AND '2024-12-31' ORDER BY day$q$,
    'woo_ai', '00000000-0000-4000-8000-0000000000a3', 5), false, NULL),
 ('two years of daily net sales, 1,000,000 orders (Europe/Berlin days, excluded statuses, refunds on their day)',
  'the same through woo.ai_query (as woo_app)',
  bench.time_ms_as($q$SELECT count(*) FROM woo.ai_query('SELECT day, net_sales FROM metrics_daily WHERE day BETWEEN ''2023-01-01'' AND ''2024-12-31'' ORDER BY day')$q$,
    'woo_app', '00000000-0000-4000-8000-0000000000a3', 5), false, NULL);

-- Clean up: the 1M-order store goes (so later sections run as before), autovacuum back on.
SELECT bench.analytics_triggers(false);
DELETE FROM public.refunds WHERE store_id = '00000000-0000-4000-8000-0000000000a3';
DELETE FROM public.orders WHERE store_id = '00000000-0000-4000-8000-0000000000a3';
DELETE FROM public.sales_daily WHERE store_id = '00000000-0000-4000-8000-0000000000a3';
SELECT bench.analytics_triggers(true);
SELECT bench.analytics_empty();
DO $$ DECLARE t text; BEGIN
    FOREACH t IN ARRAY ARRAY['orders', 'order_items', 'refunds', 'customers', 'products', 'sales_daily',
                             'product_sales_daily', 'coupon_sales_daily'] LOOP
        EXECUTE format('ALTER TABLE public.%I RESET (autovacuum_enabled)', t);
    END LOOP;
END $$;
