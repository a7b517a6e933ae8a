-- Customer metrics: a full recompute of a store with 1,000,000 orders and
-- 100,000 customers against the plain-SQL UPDATE ... FROM (GROUP BY), both as
-- woo_app under RLS; then the cost of upserting 100 orders (metrics included)
-- into a store of 10,000 orders against one of 1,000,000.
SET max_parallel_workers_per_gather = 0;
SET work_mem = '64MB';

INSERT INTO public.stores (id, store_url, api_key_hash) VALUES
    ('00000000-0000-4000-8000-0000000000e1', 'https://big.example', 'x'),
    ('00000000-0000-4000-8000-0000000000e2', 'https://small.example', 'x');
INSERT INTO public.customers (store_id, wc_customer_id, email_hash, display_name)
SELECT s.id, c, encode(sha256(convert_to('c' || c || '@example.com', 'UTF8')), 'hex'), 'Customer ' || c
  FROM (VALUES ('00000000-0000-4000-8000-0000000000e1'::uuid, 100000), ('00000000-0000-4000-8000-0000000000e2'::uuid, 1000)) s(id, n),
       generate_series(1, s.n) c;
INSERT INTO public.orders (store_id, wc_order_id, date_created, status, total, refunded_total, customer_id)
SELECT s.id, n, timestamptz '2022-01-01' + (n % 1000) * interval '1 day',
       (ARRAY['completed', 'processing', 'pending', 'cancelled', 'refunded', 'completed', 'on-hold'])[n % 7 + 1],
       (n % 300) + 0.99, CASE WHEN n % 25 = 0 THEN 5 ELSE 0 END, c.id
  FROM (VALUES ('00000000-0000-4000-8000-0000000000e1'::uuid, 1000000, 100000), ('00000000-0000-4000-8000-0000000000e2'::uuid, 10000, 1000)) s(id, n_orders, n_customers)
 CROSS JOIN LATERAL generate_series(1, s.n_orders) n
  JOIN public.customers c ON c.store_id = s.id AND c.wc_customer_id = n % s.n_customers + 1;
VACUUM ANALYZE customers;
VACUUM ANALYZE orders;

CREATE OR REPLACE FUNCTION bench.reset_metrics() RETURNS void LANGUAGE sql AS $$
    UPDATE public.customers SET total_spent = 0, order_count = 0, first_order_date = NULL, last_order_date = NULL
     WHERE store_id = '00000000-0000-4000-8000-0000000000e1' $$;

-- The plain-SQL way (it rewrites every customer with counted orders, changed or not).
CREATE OR REPLACE FUNCTION bench.sql_recompute(store uuid) RETURNS void LANGUAGE sql AS $$
    UPDATE public.customers c
       SET total_spent = m.spent, order_count = m.n, first_order_date = m.first, last_order_date = m.last
      FROM (SELECT customer_id, sum(total - refunded_total) AS spent, count(*) AS n, min(date_created) AS first,
                   max(date_created) AS last
              FROM public.orders
             WHERE store_id = store AND status NOT IN ('pending', 'failed', 'cancelled', 'trash', 'checkout-draft')
             GROUP BY customer_id) m
     WHERE c.id = m.customer_id AND c.store_id = store $$;
GRANT EXECUTE ON FUNCTION bench.sql_recompute(uuid) TO woo_app;

DO $$ BEGIN PERFORM bench.reset_metrics(); END $$;
VACUUM customers;
CHECKPOINT;
INSERT INTO bench.results (section, label, ms, baseline, n) VALUES
 ('metrics: full recompute, 1,000,000 orders / 100,000 customers, all stale',
  'plain SQL: UPDATE customers ... FROM (SELECT ... GROUP BY customer_id)',
  bench.time_ms_as($$SELECT bench.sql_recompute('00000000-0000-4000-8000-0000000000e1')$$, 'woo_app', '00000000-0000-4000-8000-0000000000e1', 1), true, 1000000);
DO $$ BEGIN PERFORM bench.reset_metrics(); END $$;
VACUUM customers;
CHECKPOINT;
INSERT INTO bench.results (section, label, ms, baseline, n) VALUES
 ('metrics: full recompute, 1,000,000 orders / 100,000 customers, all stale',
  'woo.recompute_customer_metrics(store)',
  bench.time_ms_as($$SELECT woo.recompute_customer_metrics('00000000-0000-4000-8000-0000000000e1')$$, 'woo_app', '00000000-0000-4000-8000-0000000000e1', 1), false, 1000000);
VACUUM customers; CHECKPOINT;
INSERT INTO bench.results (section, label, ms, baseline, n) VALUES
 ('metrics: full recompute again, nothing changed',
  'plain SQL: UPDATE customers ... FROM (SELECT ... GROUP BY customer_id)',
  bench.time_ms_as($$SELECT bench.sql_recompute('00000000-0000-4000-8000-0000000000e1')$$, 'woo_app', '00000000-0000-4000-8000-0000000000e1', 1), true, 1000000);
VACUUM customers; CHECKPOINT;
INSERT INTO bench.results (section, label, ms, baseline, n) VALUES
 ('metrics: full recompute again, nothing changed',
  'woo.recompute_customer_metrics(store)',
  bench.time_ms_as($$SELECT woo.recompute_customer_metrics('00000000-0000-4000-8000-0000000000e1')$$, 'woo_app', '00000000-0000-4000-8000-0000000000e1', 1), false, 1000000);

-- 100 new orders (3 items each, existing customers) with their metrics, best of 3.
CREATE OR REPLACE FUNCTION bench.hundred(first_id int, customers int) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_agg(jsonb_build_object('id', n, 'status', 'completed', 'total', '30.00', 'customer_id', n % customers + 1,
             'date_created_gmt', '2024-09-01T10:00:00', 'date_modified_gmt', '2024-09-01T10:00:00',
             'billing', jsonb_build_object('email', 'c' || (n % customers + 1) || '@example.com'),
             'line_items', jsonb_build_array(
                 jsonb_build_object('product_id', 1, 'name', 'A', 'quantity', 1, 'subtotal', '10.00', 'total', '10.00'),
                 jsonb_build_object('product_id', 2, 'name', 'B', 'quantity', 1, 'subtotal', '10.00', 'total', '10.00'),
                 jsonb_build_object('product_id', 3, 'name', 'C', 'quantity', 1, 'subtotal', '10.00', 'total', '10.00'))))
      FROM generate_series(first_id, first_id + 99) n $$;
CREATE OR REPLACE FUNCTION bench.upsert_hundred_ms(store uuid, customers int) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE best numeric; t0 timestamptz; p jsonb;
BEGIN
    PERFORM set_config('woo.store_id', store::text, true);
    FOR i IN 1..3 LOOP
        p := bench.hundred(2000000 + i * 1000, customers);
        SET LOCAL ROLE woo_app;
        t0 := clock_timestamp();
        PERFORM woo.upsert_orders(store, p);
        best := least(best, extract(epoch FROM clock_timestamp() - t0) * 1000);
        RESET ROLE;
    END LOOP;
    RETURN round(best, 2);
END $$;
INSERT INTO bench.results (section, label, ms, baseline, n) VALUES
 ('metrics: upsert 100 orders (metrics kept right) - cost follows the change', 'into a store of 10,000 orders',
  bench.upsert_hundred_ms('00000000-0000-4000-8000-0000000000e2', 1000), true, 100),
 ('metrics: upsert 100 orders (metrics kept right) - cost follows the change', 'into a store of 1,000,000 orders',
  bench.upsert_hundred_ms('00000000-0000-4000-8000-0000000000e1', 100000), false, 100);

-- Guard: both ways agree, and the upserts left no drift.
DO $$ BEGIN
    PERFORM set_config('woo.store_id', '00000000-0000-4000-8000-0000000000e1', true);
    IF EXISTS (SELECT 1 FROM woo.customer_metrics_drift('00000000-0000-4000-8000-0000000000e1')) THEN
        RAISE EXCEPTION 'metrics bench: drift after the runs';
    END IF;
END $$;

-- Leave the database as found, so the next benchmark file measures on its own data.
DELETE FROM public.orders WHERE store_id IN ('00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-0000000000e2');
DELETE FROM public.customers WHERE store_id IN ('00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-0000000000e2');
DELETE FROM public.products WHERE store_id IN ('00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-0000000000e2');
VACUUM ANALYZE;
