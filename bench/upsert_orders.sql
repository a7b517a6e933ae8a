-- woo.upsert_orders against the best plain-SQL equivalent: 10,000 orders x 3
-- items in 100 batches of 100, each side into its own empty store, as woo_app
-- under RLS; then the same batches re-delivered (all unchanged).
SET max_parallel_workers_per_gather = 0;

INSERT INTO public.stores (id, store_url, api_key_hash) VALUES
    ('00000000-0000-4000-8000-0000000000c1', 'https://bench-c.example', 'x'),
    ('00000000-0000-4000-8000-0000000000c2', 'https://bench-sql.example', 'x')
ON CONFLICT DO NOTHING;

-- Deterministic payloads: 100 batches of 100 orders, 3 line items each,
-- 20% guests, 2,000 customers, 500 products (every 5th a variation).
DROP TABLE IF EXISTS bench.order_batches;
CREATE TABLE bench.order_batches AS
SELECT b AS batch, jsonb_agg(o ORDER BY n) AS payload
  FROM (
    SELECT (n - 1) / 100 + 1 AS b, n, jsonb_build_object(
        'id', n, 'status', (ARRAY['processing', 'completed', 'on-hold', 'refunded'])[n % 4 + 1], 'currency', 'USD',
        'date_created_gmt', to_char(timestamp '2024-01-01' + n * interval '7 minutes', 'YYYY-MM-DD"T"HH24:MI:SS'),
        'date_modified_gmt', to_char(timestamp '2024-01-01' + n * interval '7 minutes' + interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS'),
        'total', to_char(3 * (n % 50 + 10) + 4.99, 'FM99990.00'), 'total_tax', '1.50', 'shipping_total', '4.99',
        'discount_total', '0.00', 'payment_method', 'stripe',
        'customer_id', CASE WHEN n % 5 = 0 THEN 0 ELSE n % 2000 + 1 END,
        'billing', jsonb_build_object('first_name', 'First' || n % 2000, 'last_name', 'Last' || n % 97,
                                      'email', format('Customer.%s@Example.com', n % 2500)),
        'line_items', (SELECT jsonb_agg(jsonb_build_object(
                          'id', n * 10 + k, 'name', 'Product ' || ((n * 7 + k * 13) % 500 + 1),
                          'product_id', (n * 7 + k * 13) % 500 + 1,
                          'variation_id', CASE WHEN ((n * 7 + k * 13) % 500) % 5 = 0 THEN 10000 + (n * 7 + k * 13) % 500 ELSE 0 END,
                          'sku', 'SKU-' || ((n * 7 + k * 13) % 500 + 1), 'quantity', k,
                          'subtotal', to_char(n % 50 + 10, 'FM99990.00'), 'total', to_char(n % 50 + 10, 'FM99990.00')))
                         FROM generate_series(1, 3) k),
        'coupon_lines', CASE WHEN n % 10 = 0 THEN '[{"code": "spring"}]'::jsonb ELSE '[]'::jsonb END,
        'refunds', CASE WHEN n % 20 = 0 THEN '[{"id": 1, "total": "-5.00"}]'::jsonb ELSE '[]'::jsonb END) AS o
      FROM generate_series(1, 10000) n) x
 GROUP BY b;

-- The plain-SQL way, same rules: placeholders for customers, guests and
-- products; stale by date_modified; unchanged by a hash of the record; items
-- replaced for written orders; counts returned.
CREATE OR REPLACE FUNCTION bench.sql_upsert_orders(p_store uuid, p_payload jsonb) RETURNS woo.upsert_result
LANGUAGE plpgsql AS $$
DECLARE
    r woo.upsert_result := ROW(0, 0, 0, 0, 0, 0);
    n_existing int;
BEGIN
    -- registered customers and guests
    INSERT INTO public.customers (store_id, wc_customer_id, email_hash, display_name)
    SELECT DISTINCT ON (x.customer_id) p_store, x.customer_id,
           encode(sha256(convert_to(lower(btrim(x.billing->>'email')), 'UTF8')), 'hex'),
           concat_ws(' ', x.billing->>'first_name', x.billing->>'last_name')
      FROM jsonb_to_recordset(p_payload) AS x(customer_id int, billing jsonb)
     WHERE x.customer_id > 0 ORDER BY x.customer_id
    ON CONFLICT (store_id, wc_customer_id) DO NOTHING;
    INSERT INTO public.customers (store_id, wc_customer_id, email_hash, display_name)
    SELECT DISTINCT ON (h) p_store, NULL, h, n
      FROM (SELECT encode(sha256(convert_to(lower(btrim(x.billing->>'email')), 'UTF8')), 'hex') AS h,
                   concat_ws(' ', x.billing->>'first_name', x.billing->>'last_name') AS n
              FROM jsonb_to_recordset(p_payload) AS x(customer_id int, billing jsonb)
             WHERE x.customer_id = 0 AND coalesce(btrim(x.billing->>'email'), '') <> '') g
     ORDER BY h
    ON CONFLICT (store_id, email_hash) WHERE wc_customer_id IS NULL DO NOTHING;
    -- products referenced by items
    INSERT INTO public.products (store_id, wc_product_id, name, sku)
    SELECT DISTINCT ON (pid) p_store, pid, i.name, nullif(i.sku, '')
      FROM jsonb_to_recordset(p_payload) AS x(line_items jsonb),
           jsonb_to_recordset(x.line_items) AS i(product_id int, variation_id int, name text, sku text),
           LATERAL (SELECT CASE WHEN i.variation_id > 0 THEN i.variation_id ELSE i.product_id END AS pid) p
     WHERE pid > 0 ORDER BY pid
    ON CONFLICT (store_id, wc_product_id) DO NOTHING;

    SELECT count(*) INTO n_existing FROM public.orders o
     WHERE o.store_id = p_store AND o.wc_order_id IN (SELECT (e->>'id')::int FROM jsonb_array_elements(p_payload) e);

    WITH src AS (
        SELECT x.*, e.value AS rec, sha256(convert_to(e.value::text, 'UTF8')) AS h
          FROM jsonb_array_elements(p_payload) e,
               jsonb_to_record(e.value) AS x(id int, status text, currency text, date_created_gmt timestamp,
                    date_modified_gmt timestamp, total text, total_tax text, shipping_total text, discount_total text,
                    customer_id int, payment_method text, billing jsonb, line_items jsonb, coupon_lines jsonb, refunds jsonb)
    ), up AS (
        INSERT INTO public.orders AS o (store_id, wc_order_id, date_created, date_modified, status, total, subtotal, tax_total,
                                        shipping_total, discount_total, currency, customer_id, payment_method, coupon_used,
                                        refunded_total, payload_hash)
        SELECT p_store, s.id, s.date_created_gmt AT TIME ZONE 'UTC', s.date_modified_gmt AT TIME ZONE 'UTC', s.status,
               s.total::numeric(12,2),
               (SELECT sum(nullif(i->>'subtotal', '')::numeric(12,2)) FROM jsonb_array_elements(s.line_items) i),
               nullif(s.total_tax, '')::numeric(12,2), nullif(s.shipping_total, '')::numeric(12,2),
               nullif(s.discount_total, '')::numeric(12,2), coalesce(s.currency, 'USD'),
               (SELECT c.id FROM public.customers c WHERE c.store_id = p_store AND
                    CASE WHEN s.customer_id > 0 THEN c.wc_customer_id = s.customer_id
                         ELSE c.wc_customer_id IS NULL AND c.email_hash =
                              encode(sha256(convert_to(lower(btrim(s.billing->>'email')), 'UTF8')), 'hex') END),
               s.payment_method,
               (SELECT string_agg(c->>'code', ',') FROM jsonb_array_elements(s.coupon_lines) c),
               coalesce((SELECT -sum((f->>'total')::numeric(12,2)) FROM jsonb_array_elements(s.refunds) f), 0),
               s.h
          FROM src s ORDER BY s.id
        ON CONFLICT (store_id, wc_order_id) DO UPDATE SET
            date_created = EXCLUDED.date_created, date_modified = EXCLUDED.date_modified, status = EXCLUDED.status,
            total = EXCLUDED.total, subtotal = EXCLUDED.subtotal, tax_total = EXCLUDED.tax_total,
            shipping_total = EXCLUDED.shipping_total, discount_total = EXCLUDED.discount_total, currency = EXCLUDED.currency,
            customer_id = EXCLUDED.customer_id, payment_method = EXCLUDED.payment_method, coupon_used = EXCLUDED.coupon_used,
            refunded_total = EXCLUDED.refunded_total, payload_hash = EXCLUDED.payload_hash
        WHERE (o.date_modified IS NULL OR EXCLUDED.date_modified IS NULL OR EXCLUDED.date_modified >= o.date_modified)
          AND o.payload_hash IS DISTINCT FROM EXCLUDED.payload_hash
        RETURNING o.id, o.wc_order_id, (o.xmax = 0) AS inserted
    ), del AS (
        DELETE FROM public.order_items i USING up WHERE i.store_id = p_store AND i.order_id = up.id AND NOT up.inserted
    ), ins AS (
        INSERT INTO public.order_items (order_id, store_id, product_id, product_name, sku, quantity, subtotal, total)
        SELECT up.id, p_store, p.id, li.name, nullif(li.sku, ''), li.quantity,
               nullif(li.subtotal, '')::numeric(12,2), nullif(li.total, '')::numeric(12,2)
          FROM up JOIN src s ON s.id = up.wc_order_id,
               jsonb_to_recordset(s.line_items) AS li(product_id int, variation_id int, name text, sku text, quantity numeric,
                                                      subtotal text, total text)
          LEFT JOIN public.products p ON p.store_id = p_store
                AND p.wc_product_id = CASE WHEN li.variation_id > 0 THEN li.variation_id ELSE li.product_id END
    )
    SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) INTO r.inserted, r.updated FROM up;
    r.unchanged := n_existing - r.updated;  -- stale and unchanged are not told apart here
    RETURN r;
END $$;

GRANT EXECUTE ON FUNCTION bench.sql_upsert_orders(uuid, jsonb) TO woo_app;
GRANT SELECT ON bench.order_batches TO woo_app;

-- Runs every batch through `fn` for `store` as woo_app; returns ms.
CREATE OR REPLACE FUNCTION bench.load_ms(fn text, store uuid) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    b record;
BEGIN
    PERFORM set_config('woo.store_id', store::text, true);
    SET LOCAL ROLE woo_app;
    t0 := clock_timestamp();
    FOR b IN SELECT payload FROM bench.order_batches ORDER BY batch LOOP
        EXECUTE format('SELECT %s($1, $2)', fn) USING store, b.payload;
    END LOOP;
    RESET ROLE;
    RETURN round(extract(epoch FROM clock_timestamp() - t0) * 1000, 1);
END $$;

-- Guard: both sides write the same orders.
DO $$ BEGIN
    PERFORM bench.load_ms('woo.upsert_orders', '00000000-0000-4000-8000-0000000000c1');
    PERFORM bench.load_ms('bench.sql_upsert_orders', '00000000-0000-4000-8000-0000000000c2');
    IF (SELECT count(*) FROM (
            SELECT wc_order_id, total, subtotal, refunded_total, coupon_used, status FROM orders WHERE store_id = '00000000-0000-4000-8000-0000000000c1'
            EXCEPT
            SELECT wc_order_id, total, subtotal, refunded_total, coupon_used, status FROM orders WHERE store_id = '00000000-0000-4000-8000-0000000000c2') d) > 0
       OR (SELECT count(*) FROM order_items WHERE store_id = '00000000-0000-4000-8000-0000000000c1')
          <> (SELECT count(*) FROM order_items WHERE store_id = '00000000-0000-4000-8000-0000000000c2') THEN
        RAISE EXCEPTION 'woo.upsert_orders and the plain-SQL upsert disagree';
    END IF;
END $$;
-- Statistics are taken with the data in (as autovacuum would), then both
-- stores are emptied, placeholders included, for the measured runs.
ANALYZE;
DELETE FROM order_items WHERE store_id IN ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000c2');
DELETE FROM orders WHERE store_id IN ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000c2');
DELETE FROM customers WHERE store_id IN ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000c2');
DELETE FROM products WHERE store_id IN ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000c2');
CHECKPOINT;

-- First delivery into empty stores (orders/s = 10,000 / seconds).
INSERT INTO bench.results (section, label, ms, baseline, n) VALUES
 ('upsert_orders: 10,000 orders x 3 items, 100 batches of 100, new', 'plain SQL: jsonb_to_recordset + INSERT ... ON CONFLICT',
    bench.load_ms('bench.sql_upsert_orders', '00000000-0000-4000-8000-0000000000c2'), true, 10000),
 ('upsert_orders: 10,000 orders x 3 items, 100 batches of 100, new', 'woo.upsert_orders',
    bench.load_ms('woo.upsert_orders', '00000000-0000-4000-8000-0000000000c1'), false, 10000);
-- Re-delivery of the same batches: everything unchanged.
INSERT INTO bench.results (section, label, ms, baseline, n) VALUES
 ('upsert_orders: the same 100 batches re-delivered (unchanged)', 'plain SQL: jsonb_to_recordset + INSERT ... ON CONFLICT',
    bench.load_ms('bench.sql_upsert_orders', '00000000-0000-4000-8000-0000000000c2'), true, 10000),
 ('upsert_orders: the same 100 batches re-delivered (unchanged)', 'woo.upsert_orders',
    bench.load_ms('woo.upsert_orders', '00000000-0000-4000-8000-0000000000c1'), false, 10000);
