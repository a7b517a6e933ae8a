-- The sample-data generator: WooCommerce REST v3-shaped pages of categories,
-- products, customers, coupons and orders for N stores, deterministic for a
-- given seed. It inserts the stores (unless -v registered=1), then either
--   -v export=1: prints the pages as "store<TAB>resource<TAB>page<TAB>JSON array"
--                lines (make demo writes them to files and loads them with woo-load), or
--   otherwise:   loads them the way the application does it: as woo_app, one
--                transaction per REST page of 100, store bound with SET LOCAL; then
--                a duplicated page and two webhooks on store 1.
-- e.g. psql -v stores=10 -v orders=2000 -v seed=7 -f demo/sample_stores.sql
\set ON_ERROR_STOP on
\if :{?stores} \else \set stores 2 \endif
\if :{?orders} \else \set orders 400 \endif
\if :{?seed} \else \set seed 1 \endif
-- -v registered=1: the stores are already registered (make demo does it through
-- woo.register_store); their ids are looked up by URL.
\if :{?registered}
\else
INSERT INTO public.stores (id, store_url, api_key_hash, wc_version, plan, settings)
SELECT ('5a5a5a5a-0000-4000-8000-' || lpad(s::text, 12, '0'))::uuid,
       CASE s WHEN 1 THEN 'https://coffee-corner.example' WHEN 2 THEN 'https://trail-gear.example'
              ELSE 'https://sample-store-' || s || '.example' END,
       '$2b$12$demo.not.a.real.hash.' || repeat(chr(96 + s % 26 + 1), 26),
       (ARRAY['8.9.1', '9.1.0', '9.3.2'])[s % 3 + 1], (ARRAY['free', 'pro', 'starter', 'agency'])[s % 4 + 1],
       CASE s WHEN 1 THEN '{"timezone": "Europe/Paris"}'::jsonb
              WHEN 2 THEN '{"timezone": "America/Denver", "excluded_statuses": ["pending", "failed", "cancelled", "trash", "checkout-draft", "on-hold"]}'
              ELSE jsonb_build_object('timezone', (ARRAY['UTC', 'Asia/Tokyo', 'America/New_York'])[s % 3 + 1]) END
  FROM generate_series(1, :stores) s;
\endif

-- A page of N records of each resource for store s (deterministic: derived from n).
CREATE TEMP TABLE pages (store int, resource text, page int, payload jsonb);
INSERT INTO pages
SELECT s, 'categories', 1, jsonb_agg(jsonb_build_object('id', 10 + c, 'name', (ARRAY['Coffee &amp; Tea', 'Brewing', 'Mugs', 'Gift sets'])[c],
                                                          'parent', CASE WHEN c = 2 THEN 11 ELSE 0 END, 'count', 5) ORDER BY c DESC)
  FROM generate_series(1, :stores) s, generate_series(1, 4) c GROUP BY s;
INSERT INTO pages
SELECT s, 'products', 1, jsonb_agg(jsonb_build_object(
         'id', 100 + p, 'name', initcap((ARRAY['house', 'summit', 'ridge', 'ember', 'cedar'])[p % 5 + 1]) || ' ' ||
                                (ARRAY['Blend', 'Grinder', 'Mug', 'Pack', 'Filter'])[p % 5 + 1] || ' #' || p,
         'type', 'simple', 'status', 'publish', 'sku', format('SKU-%s-%s', s, p),
         'price', to_char(5 + ((p * 37 + :seed * 11) % 60), 'FM990.00'), 'regular_price', to_char(5 + ((p * 37 + :seed * 11) % 60), 'FM990.00'), 'sale_price', '',
         'stock_quantity', p * 3 % 40, 'stock_status', 'instock',
         'date_created_gmt', '2024-01-05T09:00:00', 'date_modified_gmt', '2024-02-01T09:00:00',
         'categories', jsonb_build_array(jsonb_build_object('id', 11 + p % 4, 'name', 'category'))) ORDER BY p)
  FROM generate_series(1, :stores) s, generate_series(1, 20) p GROUP BY s;
INSERT INTO pages
SELECT s, 'customers', 1, jsonb_agg(jsonb_build_object(
         'id', c, 'email', format('%s.%s@example.com', (ARRAY['ana', 'ben', 'chloe', 'dev', 'eli', 'fay'])[c % 6 + 1], c),
         'first_name', initcap((ARRAY['ana', 'ben', 'chloe', 'dev', 'eli', 'fay'])[c % 6 + 1]), 'last_name', 'Sample' || c,
         'date_created_gmt', to_char(timestamp '2023-06-01' + c * interval '3 days', 'YYYY-MM-DD"T"HH24:MI:SS')) ORDER BY c)
  FROM generate_series(1, :stores) s, generate_series(1, 30) c GROUP BY s;
INSERT INTO pages
SELECT s, 'orders', (n - 1) / 100 + 1, jsonb_agg(jsonb_build_object(
         'id', 1000 + n, 'status', (ARRAY['completed', 'completed', 'processing', 'on-hold', 'refunded', 'cancelled', 'pending'])[(n * s + :seed) % 7 + 1],
         'currency', CASE s WHEN 1 THEN 'EUR' ELSE 'USD' END,
         'date_created_gmt', to_char(timestamp '2024-01-01' + (n * 17 % 330) * interval '1 day' + (n % 24) * interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS'),
         'date_modified_gmt', to_char(timestamp '2024-12-01' + n * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS'),
         'total', to_char(((n * 7 + :seed * 13) % 90) + 12.5 * s, 'FM990.00'), 'total_tax', '2.00', 'shipping_total', '4.90', 'discount_total', '0.00',
         'payment_method', (ARRAY['stripe', 'paypal', 'bacs'])[n % 3 + 1],
         'customer_id', CASE WHEN n % 6 = 0 THEN 0 ELSE n % 30 + 1 END,
         'billing', jsonb_build_object('first_name', 'Guest', 'last_name', 'N' || n % 9,
                                       'email', CASE WHEN n % 6 = 0 THEN format('guest%s@example.org', n % 9)
                                                     ELSE format('%s.%s@example.com', (ARRAY['ana', 'ben', 'chloe', 'dev', 'eli', 'fay'])[(n % 30 + 1) % 6 + 1], n % 30 + 1) END),
         'line_items', jsonb_build_array(
             jsonb_build_object('product_id', 100 + n % 20 + 1, 'variation_id', 0, 'name', 'Item ' || n % 20, 'quantity', n % 3 + 1,
                                'subtotal', to_char(((n * 7 + :seed * 13) % 90) + 12.5 * s - 4.9, 'FM990.00'), 'total', to_char(((n * 7 + :seed * 13) % 90) + 12.5 * s - 4.9, 'FM990.00'))),
         'coupon_lines', CASE WHEN n % 10 = 0 THEN '[{"code": "WELCOME10"}]'::jsonb ELSE '[]'::jsonb END,
         'refunds', CASE WHEN n % 7 = 4 THEN '[{"id": 1, "total": "-5.00"}]'::jsonb ELSE '[]'::jsonb END) ORDER BY n)
  FROM generate_series(1, :stores) s, generate_series(1, :orders) n GROUP BY s, (n - 1) / 100 + 1;
INSERT INTO pages
SELECT s, 'coupons', 1, jsonb_build_array(
         jsonb_build_object('id', 501, 'code', 'WELCOME10', 'discount_type', CASE WHEN s % 2 = 1 THEN 'percent' ELSE 'fixed_cart' END,
                            'amount', '10.00', 'usage_count', 40 + :seed % 5),
         jsonb_build_object('id', 502, 'code', 'FREESHIP', 'discount_type', 'fixed_cart', 'amount', '4.90', 'usage_count', s * 3))
  FROM generate_series(1, :stores) s;
GRANT SELECT ON pages TO woo_app;

\if :{?export}
\pset format unaligned
\pset tuples_only on
\pset fieldsep '\t'
SELECT store, resource, page, payload::text FROM pages ORDER BY store, resource, page;
\quit
\endif

CREATE TEMP TABLE loaded (store int, resource text, page int, result woo.upsert_result);
GRANT ALL ON loaded TO woo_app;
SET ROLE woo_app;
DO $$
DECLARE
    p record;
    r woo.upsert_result;
BEGIN
    FOR p IN SELECT * FROM pages ORDER BY store, array_position(ARRAY['categories', 'products', 'customers', 'coupons', 'orders'], resource), page LOOP
        PERFORM set_config('woo.store_id', '5a5a5a5a-0000-4000-8000-00000000000' || p.store, true);
        EXECUTE format('SELECT * FROM woo.upsert_%s($1, $2)', p.resource)
           INTO r USING ('5a5a5a5a-0000-4000-8000-00000000000' || p.store)::uuid, p.payload;
        INSERT INTO loaded VALUES (p.store, p.resource, p.page, r);
    END LOOP;
    -- the first page again, as a duplicated delivery
    PERFORM set_config('woo.store_id', '5a5a5a5a-0000-4000-8000-000000000001', true);
    INSERT INTO loaded SELECT 1, 'orders (re-delivered page 1)', 1,
        woo.upsert_orders('5a5a5a5a-0000-4000-8000-000000000001',
                          (SELECT payload FROM pages WHERE store = 1 AND resource = 'orders' AND page = 1));
    -- a webhook: a late refund on one order, and a deleted order
    PERFORM set_config('woo.store_id', '5a5a5a5a-0000-4000-8000-000000000001', true);
    INSERT INTO loaded SELECT 1, 'webhook order.updated', 0,
        woo.apply_webhook('5a5a5a5a-0000-4000-8000-000000000001', 'order.updated',
            jsonb_set(jsonb_set((SELECT payload->0 FROM pages WHERE store = 1 AND resource = 'orders' AND page = 1),
                                '{refunds}', '[{"id": 9, "total": "-10.00"}]'), '{date_modified_gmt}', '"2025-01-02T00:00:00"'));
    INSERT INTO loaded SELECT 1, 'webhook order.deleted', 0,
        woo.apply_webhook('5a5a5a5a-0000-4000-8000-000000000001', 'order.deleted', '{"id": 1002}');
END $$;
RESET ROLE;
RESET woo.store_id;
\echo
\echo 'What each call did (woo.upsert_result, summed per store and resource):'
SELECT s.store_url AS store, l.resource, count(*) AS calls, sum((l.result).inserted) AS inserted, sum((l.result).updated) AS updated,
       sum((l.result).unchanged) AS unchanged, sum((l.result).skipped_stale) AS stale, sum((l.result).deleted) AS deleted,
       sum((l.result).rejected) AS rejected
  FROM loaded l JOIN public.stores s ON s.id = ('5a5a5a5a-0000-4000-8000-00000000000' || l.store)::uuid
 GROUP BY 1, 2, l.store ORDER BY l.store, min(array_position(ARRAY['categories', 'products', 'customers', 'coupons', 'orders'], l.resource)) NULLS LAST, 2;
