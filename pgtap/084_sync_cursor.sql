-- woo.sync_cursor (1.5), as woo_app under RLS: the newest stored modification date of
-- the bound store's orders / products minus the 5-minute overlap, NULL when nothing is
-- stored; other stores' newer rows do not count; bad input refused.
BEGIN;
SELECT plan(13);

INSERT INTO stores (id, store_url, api_key_hash) VALUES
    ('a0000000-0000-4000-8000-000000000000', 'https://a.example', 'x'),
    ('b0000000-0000-4000-8000-000000000000', 'https://b.example', 'x');
INSERT INTO orders (store_id, wc_order_id, date_created, date_modified, status, total) VALUES
    ('a0000000-0000-4000-8000-000000000000', 1, '2024-03-01 00:00Z', '2024-03-05 10:00:00Z', 'completed', 1),
    ('a0000000-0000-4000-8000-000000000000', 2, '2024-03-01 00:00Z', '2024-03-07 12:30:15Z', 'completed', 1),
    ('a0000000-0000-4000-8000-000000000000', 3, '2024-03-01 00:00Z', NULL, 'completed', 1),
    ('b0000000-0000-4000-8000-000000000000', 1, '2024-03-01 00:00Z', '2025-01-01 00:00:00Z', 'completed', 1);
INSERT INTO products (store_id, wc_product_id, name, updated_at) VALUES
    ('b0000000-0000-4000-8000-000000000000', 1, 'B', '2025-01-01 00:00:00Z');

SET LOCAL ROLE woo_app;
SELECT woo.set_store('a0000000-0000-4000-8000-000000000000');
SELECT is(woo.sync_cursor('a0000000-0000-4000-8000-000000000000', 'orders'), '2024-03-07 12:25:15Z'::timestamptz,
          'orders: the newest date_modified of the bound store minus 5 minutes (store B''s newer order does not count)');
SELECT is(woo.sync_cursor('a0000000-0000-4000-8000-000000000000', 'products'), NULL,
          'products: NULL when the store has none (store B''s product does not count)');
SELECT is(woo.sync_cursor('a0000000-0000-4000-8000-000000000000', 'coupons'), NULL, 'coupons: NULL when the store has none');
SELECT woo.upsert_coupons('a0000000-0000-4000-8000-000000000000',
                          '[{"id": 1, "code": "spring", "date_modified_gmt": "2024-04-02T10:00:00"},
                            {"id": 2, "code": "summer", "date_modified": "2024-04-03T12:00:00"},
                            {"id": 3, "code": "undated"}]');
SELECT is(woo.sync_cursor('a0000000-0000-4000-8000-000000000000', 'coupons'), '2024-04-03 11:55:00Z'::timestamptz,
          'coupons: upsert_coupons stores date_modified (gmt, or local in the store''s zone, UTC here); cursor = newest minus 5 minutes');
RESET ROLE;
INSERT INTO products (store_id, wc_product_id, name, updated_at) VALUES
    ('a0000000-0000-4000-8000-000000000000', 1, 'A', '2024-02-01 08:00:00Z'),
    ('a0000000-0000-4000-8000-000000000000', 2, 'A2', NULL);
SET LOCAL ROLE woo_app;
SELECT is(woo.sync_cursor('a0000000-0000-4000-8000-000000000000', 'products'), '2024-02-01 07:55:00Z'::timestamptz,
          'products: the newest updated_at minus 5 minutes');
SELECT throws_ok($$SELECT woo.sync_cursor('a0000000-0000-4000-8000-000000000000', 'customers')$$, '22023',
                 'resource: "customers" has no cursor (orders, products or coupons)', 'an unknown resource is refused');
SELECT throws_ok($$SELECT woo.sync_cursor('b0000000-0000-4000-8000-000000000000', 'orders')$$, '42501',
                 'store_id b0000000-0000-4000-8000-000000000000 is not the store bound to this transaction', 'another store''s cursor is refused');
SELECT throws_ok($$SELECT woo.sync_cursor(NULL, 'orders')$$, '22004', 'woo.sync_cursor: store_id and resource are required', 'NULL is refused');
RESET ROLE;
SELECT has_index('public', 'orders', 'idx_orders_store_modified', ARRAY['store_id', 'date_modified'],
                 'index idx_orders_store_modified on orders(store_id, date_modified) (migration sync_cursor_indexes)');
SELECT has_index('public', 'products', 'idx_products_store_updated', ARRAY['store_id', 'updated_at'],
                 'index idx_products_store_updated on products(store_id, updated_at) (migration sync_cursor_indexes)');
SELECT has_index('public', 'coupons', 'idx_coupons_store_modified', ARRAY['store_id', 'date_modified'],
                 'index idx_coupons_store_modified on coupons(store_id, date_modified) (migration coupons_date_modified)');
-- One index probe, whatever the store's size.
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    out text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP out := out || line || E'\n'; END LOOP;
    RETURN out;
END $$;
-- 20,000 more orders of store A, never analysed (the worst realistic condition).
INSERT INTO orders (store_id, wc_order_id, date_created, date_modified, status, total)
SELECT 'a0000000-0000-4000-8000-000000000000', 100 + n, '2024-01-01Z', timestamptz '2024-06-01Z' + n * interval '1 minute', 'completed', 1
  FROM generate_series(1, 20000) n;
SELECT ok(pg_temp.plan_of($$SELECT o.date_modified FROM public.orders o
                             WHERE o.store_id = 'a0000000-0000-4000-8000-000000000000' AND o.date_modified IS NOT NULL
                             ORDER BY o.date_modified DESC LIMIT 1$$)
            ~ 'Index (Only )?Scan Backward using idx_orders_store_modified',
          'the cursor''s query (as in woo.sync_cursor) is a backward probe of idx_orders_store_modified, without statistics');

SET LOCAL ROLE woo_app;
SELECT is(woo.sync_cursor('a0000000-0000-4000-8000-000000000000', 'orders'), timestamptz '2024-06-01Z' + 20000 * interval '1 minute' - interval '5 minutes',
          'orders: the cursor follows the newest order');
RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
