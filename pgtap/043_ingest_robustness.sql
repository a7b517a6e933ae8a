-- Hostile and odd records never crash the backend: in lenient mode each is
-- either written or rejected (nothing dropped), in strict mode each fails
-- cleanly; and a 10,000-order payload with 50 items each works in one call.
BEGIN;
SELECT plan(9);

INSERT INTO public.stores (id, store_url, api_key_hash) VALUES
    ('a0000000-0000-4000-8000-00000000000a', 'https://shop-a.example', 'x');
CREATE TEMP TABLE odd (n serial, rec jsonb);
INSERT INTO odd (rec) VALUES
  ('{}'), ('{"id": null}'), ('{"id": 0}'), ('{"id": 1.5}'), ('{"id": 1e3}'), ('{"id": 99999999999}'), ('{"id": true}'),
  ('{"id": [1]}'), ('{"id": {"x": 1}}'), ('{"id": 1, "total": null}'), ('{"id": 2, "status": 5, "total": "1"}'),
  ('{"id": 3, "status": "x", "total": "1", "date_created_gmt": 20240101}'),
  ('{"id": 4, "status": "x", "total": "1", "date_created_gmt": "0001-01-01T00:00:00"}'),
  ('{"id": 5, "status": "x", "total": "1", "date_created_gmt": "9999-12-31T23:59:59"}'),
  ('{"id": 6, "status": "x", "total": "NaN", "date_created_gmt": "2024-01-01T00:00:00"}'),
  ('{"id": 7, "status": "x", "total": "-0.001", "date_created_gmt": "2024-01-01T00:00:00"}'),
  ('{"id": 8, "status": "x", "total": 1e308, "date_created_gmt": "2024-01-01T00:00:00"}'),
  ('{"id": 9, "status": "x", "total": "1", "date_created_gmt": "2024-01-01T00:00:00", "line_items": null}'),
  ('{"id": 10, "status": "x", "total": "1", "date_created_gmt": "2024-01-01T00:00:00", "line_items": [null, {}]}'),
  ('{"id": 11, "status": "x", "total": "1", "date_created_gmt": "2024-01-01T00:00:00", "line_items": [{"product_id": -1}]}'),
  ('{"id": 12, "status": "x", "total": "1", "date_created_gmt": "2024-01-01T00:00:00", "billing": "nope"}'),
  ('{"id": 13, "status": "x", "total": "1", "date_created_gmt": "2024-01-01T00:00:00", "billing": {"email": ["a@b"]}}'),
  ('{"id": 14, "status": "x", "total": "1", "date_created_gmt": "2024-01-01T00:00:00", "refunds": [{"total": "abc"}]}'),
  ('{"id": 15, "status": "x", "total": "1", "date_created_gmt": "2024-01-01T00:00:00", "coupon_lines": [{"code": 7}]}'),
  ('{"id": 16, "status": "ünïcødé ✓ 😀", "total": "1", "date_created_gmt": "2024-01-01T00:00:00", "currency": "€€€"}'),
  ('{"id": 17, "status": "x", "total": "1", "date_created_gmt": "2024-01-01T00:00:00", "customer_id": -5}'),
  ('{"id": 18, "status": "x", "total": "1", "date_created_gmt": "2024-01-01T00:00:00", "line_items": [{"name": "&#0; &#xD800; &#1114112;"}]}'),
  ('{"id": 19, "status": "x", "total": "1", "date_created_gmt": "2024-01-01T00:00:00", "deeply": {"a": {"b": {"c": [[[[[1]]]]]}}}}'),
  ('[1, 2, 3]'), ('"string"'), ('null'), ('12');
GRANT SELECT ON odd TO woo_app;
SET LOCAL woo.store_id = 'a0000000-0000-4000-8000-00000000000a';
SET LOCAL ROLE woo_app;

SELECT lives_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', (SELECT jsonb_agg(rec ORDER BY n) FROM odd), false)$$,
                'a lenient call over 32 odd records completes');
SELECT is((SELECT (r).inserted + (r).updated + (r).unchanged + (r).skipped_stale + (r).rejected
             FROM (SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', (SELECT jsonb_agg(rec ORDER BY n) FROM odd), false) AS r) x),
          32, 'every record is accounted for (written, unchanged or rejected)');
SELECT is((SELECT count(*)::int FROM woo.ingest_rejects), 2 * (32 - (SELECT count(*)::int FROM orders)),
          'each refused record was kept in woo.ingest_rejects, on each of the two calls');
SELECT is((SELECT status::text FROM orders WHERE wc_order_id = 16), 'ünïcødé ✓ 😀', 'non-ASCII text kept as is');
SELECT is((SELECT count(*)::int FROM woo.upsert_products('a0000000-0000-4000-8000-00000000000a', (SELECT jsonb_agg(rec ORDER BY n) FROM odd), false)),
          1, 'the same records as products: a lenient call completes');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', (SELECT rec FROM odd WHERE rec->>'id' = '17'))$$,
                 '22003', NULL, 'strict: a negative customer id is refused (out of range)');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', (SELECT rec FROM odd WHERE rec->>'id' = '8'))$$,
                 '22003', NULL, 'strict: a total beyond numeric(12,2) is refused');

-- 10,000 orders of 50 items in one call: chunks of 500 records, memory reset per chunk.
RESET ROLE;
CREATE TEMP TABLE big AS
SELECT jsonb_agg(jsonb_build_object('id', 100000 + n, 'status', 'completed', 'total', '10.00',
         'date_created_gmt', '2024-01-01T00:00:00', 'customer_id', n % 500 + 1,
         'billing', jsonb_build_object('email', 'c' || n % 500 || '@example.com'),
         'line_items', (SELECT jsonb_agg(jsonb_build_object('product_id', k + n % 7, 'name', 'P' || k, 'quantity', 1,
                                                            'subtotal', '0.20', 'total', '0.20')) FROM generate_series(1, 50) k))) AS p
  FROM generate_series(1, 10000) n;
GRANT SELECT ON big TO woo_app;
CREATE TEMP TABLE items_before AS SELECT count(*) AS n FROM order_items;
GRANT SELECT ON items_before TO woo_app;
SET LOCAL ROLE woo_app;
SELECT results_eq($$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', (SELECT p FROM big))$$,
                  $$VALUES (10000, 0, 0, 0, 0, 0)$$, '10,000 orders with 50 items each in one call');
SELECT is((SELECT count(*) FROM order_items) - (SELECT n FROM items_before), 500000::bigint, '500,000 line items written');

SELECT * FROM finish();
ROLLBACK;
