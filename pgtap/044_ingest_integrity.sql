-- Issue 10: no payload can wrap an integer onto another record, derived values
-- are checked while parsing and named, lenient mode survives any single bad
-- record (a chunk whose write fails is retried record by record), and no text
-- the extension stores (names, reject errors, reject payload keys) keeps an
-- e-mail address in clear.
BEGIN;
SELECT plan(44);

INSERT INTO public.stores (id, store_url, api_key_hash) VALUES
    ('a0000000-0000-4000-8000-00000000000a', 'https://shop-a.example', 'x');
SET LOCAL woo.store_id = 'a0000000-0000-4000-8000-00000000000a';
SET LOCAL ROLE woo_app;

-- An order 424242 of customer 1, and a product 5 with stock 7.
SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
  '{"id": 424242, "status": "completed", "total": "10.00", "date_created_gmt": "2024-01-01T00:00:00", "customer_id": 1,
    "line_items": [{"product_id": 5, "name": "P", "quantity": 1, "subtotal": "10.00", "total": "10.00"}]}');
SELECT woo.upsert_products('a0000000-0000-4000-8000-00000000000a', '{"id": 5, "name": "P", "stock_quantity": 7}');
RESET ROLE;
CREATE TEMP TABLE snap AS SELECT (SELECT jsonb_agg(to_jsonb(o) - 'updated_at' ORDER BY wc_order_id) FROM orders o) AS orders,
                                 (SELECT jsonb_agg(to_jsonb(p) ORDER BY wc_product_id) FROM products p) AS products;
GRANT SELECT ON snap TO woo_app;
SET LOCAL ROLE woo_app;

-- 1. Integers beyond every range are refused (22003), never wrapped -----------------
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
  '{"id": 18446744073709975858, "status": "cancelled", "total": "0.00", "date_created_gmt": "2024-01-01T00:00:00"}')$$,
  '22003', 'orders[0]: id 18446744073709975858 is out of range for a WooCommerce id (1 to 2147483647)',
  'id 2^64 + 424242: 22003 naming the record, not an update of order 424242');
SELECT is((SELECT (r).rejected FROM (SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
  '{"id": 18446744073709975858, "status": "cancelled", "total": "0.00", "date_created_gmt": "2024-01-01T00:00:00"}', false) r) x),
  1, 'lenient: the same record is rejected');
SELECT throws_ok($$SELECT woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'order.deleted', '{"id": 18446744073709975858}')$$,
  '22003', NULL, 'order.deleted with id 2^64 + 424242 is refused');
SELECT throws_ok($$SELECT woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'product.deleted', '{"id": 4294967301}')$$,
  '22003', NULL, 'product.deleted with id 2^32 + 5 is refused');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
  '{"id": 7, "status": "completed", "total": "1.00", "date_created_gmt": "2024-01-01T00:00:00", "customer_id": 18446744073709551617}')$$,
  '22003', 'orders[0] (id 7): customer_id 18446744073709551617 is out of range (0 to 2147483647)',
  'customer_id 2^64 + 1 does not link customer 1');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
  '{"id": 7, "status": "completed", "total": "1.00", "date_created_gmt": "2024-01-01T00:00:00", "customer_id": "4294967297"}')$$,
  '22003', NULL, 'customer_id "2^32 + 1" as a string: refused too');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
  '{"id": 7, "status": "completed", "total": "1.00", "date_created_gmt": "2024-01-01T00:00:00",
    "line_items": [{"product_id": 18446744073709551621, "name": "x", "subtotal": "1.00", "total": "1.00"}]}')$$,
  '22003', 'orders[0] (id 7): line_items[0].product_id 18446744073709551621 is out of range (0 to 2147483647)',
  'line_items[].product_id 2^64 + 5 does not link product 5');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
  '{"id": 7, "status": "completed", "total": "1.00", "date_created_gmt": "2024-01-01T00:00:00",
    "line_items": [{"variation_id": 1e30, "name": "x"}]}')$$,
  '22003', NULL, 'line_items[].variation_id 1e30 (a JSON exponent form): 22003');
SELECT throws_ok($$SELECT woo.upsert_products('a0000000-0000-4000-8000-00000000000a', '{"id": 5, "name": "P", "stock_quantity": -18446744073709551617}')$$,
  '22003', 'products[0] (id 5): stock_quantity -18446744073709551617 is out of range (-2147483648 to 2147483647)',
  'stock_quantity -2^64 - 1 is not stored as -1');
SELECT throws_ok($$SELECT woo.upsert_products('a0000000-0000-4000-8000-00000000000a', '{"id": 5, "name": "P", "stock_quantity": 2147483648}')$$,
  '22003', NULL, 'stock_quantity 2^31: 22003');
SELECT throws_ok($$SELECT woo.upsert_products('a0000000-0000-4000-8000-00000000000a', '{"id": 5, "name": "P", "stock_quantity": 1.5}')$$,
  '22P02', NULL, 'stock_quantity 1.5 (a fraction): 22P02, not a number out of range');
SELECT throws_ok($$SELECT woo.upsert_products('a0000000-0000-4000-8000-00000000000a',
  '{"id": 5, "name": "P", "categories": [{"id": 9223372036854775808, "name": "c"}]}')$$,
  '22003', NULL, 'categories[0].id 2^63: 22003');
SELECT throws_ok($$SELECT woo.upsert_categories('a0000000-0000-4000-8000-00000000000a', '{"id": 3, "name": "c", "parent": 18446744073709551619}')$$,
  '22003', NULL, 'categories parent 2^64 + 3: 22003');
SELECT throws_ok($$SELECT woo.upsert_coupons('a0000000-0000-4000-8000-00000000000a', '{"id": 3, "code": "c", "usage_count": -1}')$$,
  '22003', NULL, 'coupon usage_count -1: 22003');
SELECT is((SELECT jsonb_agg(to_jsonb(o) - 'updated_at' ORDER BY wc_order_id) FROM orders o), (SELECT orders FROM snap),
          'order 424242 is untouched by every attempt');
SELECT is((SELECT jsonb_agg(to_jsonb(p) ORDER BY wc_product_id) FROM products p), (SELECT products FROM snap),
          'product 5 is untouched (stock 7)');
SELECT ok(EXISTS (SELECT 1 FROM orders WHERE wc_order_id = 424242), 'order 424242 still exists after the refused deletes');

-- 2. Derived values checked while parsing, naming record and field --------------------
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
  '{"id": 20, "status": "completed", "total": "1.00", "date_created_gmt": "2024-01-01T00:00:00",
    "line_items": [{"name": "a", "subtotal": "9999999999.99"}, {"name": "b", "subtotal": "0.01"}]}')$$,
  '22003', 'orders[0] (id 20): subtotal (the sum of line_items[].subtotal) 10000000000.00 does not fit numeric(12,2) (at most 9999999999.99)',
  'two valid line-item subtotals whose sum leaves numeric(12,2): named');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
  '{"id": 21, "status": "refunded", "total": "1.00", "date_created_gmt": "2024-01-01T00:00:00",
    "refunds": [{"total": "-9999999999.99"}, {"total": "-0.01"}]}')$$,
  '22003', 'orders[0] (id 21): refunded_total (the sum of refunds[].total) 10000000000.00 does not fit numeric(12,2) (at most 9999999999.99)',
  'two valid refunds whose sum leaves numeric(12,2): named');
SELECT throws_ok(format($$SELECT woo.upsert_products('a0000000-0000-4000-8000-00000000000a',
  '{"id": 30, "attributes": [{"name": "Size", "option": "%s"}]}')$$, repeat('x', 600)),
  '22001', 'products[0] (id 30): name (built from attributes[].name and .option) is longer than 500 characters',
  'a variation named from a 600-character attribute: 22001 naming the record');
SELECT results_eq($$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', '[
   {"id": 20, "status": "completed", "total": "1.00", "date_created_gmt": "2024-01-01T00:00:00",
    "line_items": [{"name": "a", "subtotal": "9999999999.99"}, {"name": "b", "subtotal": "0.01"}]},
   {"id": 21, "status": "refunded", "total": "1.00", "date_created_gmt": "2024-01-01T00:00:00",
    "refunds": [{"total": "-9999999999.99"}, {"total": "-0.01"}]},
   {"id": 22, "status": "completed", "total": "1.00", "date_created_gmt": "2024-01-01T00:00:00"}]', false)$$,
  $$VALUES (1, 0, 0, 0, 0, 2)$$, 'lenient: the call survives both, the good order is written');
SELECT results_eq(format($$SELECT * FROM woo.upsert_products('a0000000-0000-4000-8000-00000000000a',
  '[{"id": 30, "attributes": [{"name": "Size", "option": "%s"}]}, {"id": 31, "name": "ok"}]', false)$$, repeat('x', 600)),
  $$VALUES (1, 0, 0, 0, 0, 1)$$, 'lenient products: the long variation rejected, the other written');

-- 3. Lenient mode: a write that still fails is retried record by record --------------
RESET ROLE;
CREATE FUNCTION pg_temp.refuse_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.wc_order_id = 42 THEN RAISE EXCEPTION 'column refused order 42' USING ERRCODE = '22000'; END IF;
    IF NEW.wc_order_id = 43 THEN RAISE EXCEPTION 'not an input problem' USING ERRCODE = '53000'; END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse_order();
SET LOCAL ROLE woo_app;
SELECT results_eq($$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', '[
   {"id": 41, "status": "completed", "total": "1.00", "date_created_gmt": "2024-01-01T00:00:00", "customer_id": 4,
    "line_items": [{"product_id": 6, "name": "x", "subtotal": "1.00", "total": "1.00"}]},
   {"id": 42, "status": "completed", "total": "1.00", "date_created_gmt": "2024-01-01T00:00:00", "customer_id": 4},
   {"id": 44, "status": "completed", "total": "2.00", "date_created_gmt": "2024-01-01T00:00:00", "customer_id": 4}]', false)$$,
  $$VALUES (2, 0, 0, 0, 0, 1)$$, 'lenient: a chunk whose write fails (22000) is written record by record, the bad one rejected');
SELECT is((SELECT array_agg(wc_order_id ORDER BY wc_order_id) FROM orders WHERE wc_order_id BETWEEN 41 AND 44), ARRAY[41, 44],
          'the others of the chunk are written');
SELECT is((SELECT count(*)::int FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.wc_order_id = 41), 1,
          'with their line items, once');
SELECT is((SELECT error FROM woo.ingest_rejects WHERE wc_id = 42), 'orders[1] (id 42): column refused order 42',
          'the reject names the record');
SELECT is((SELECT (total_spent, order_count)::text FROM customers WHERE wc_customer_id = 4), '(3.00,2)',
          'metrics count the written orders only');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', '[
   {"id": 43, "status": "completed", "total": "1.00", "date_created_gmt": "2024-01-01T00:00:00"},
   {"id": 45, "status": "completed", "total": "1.00", "date_created_gmt": "2024-01-01T00:00:00"}]', false)$$,
  '53000', 'not an input problem', 'lenient: an error that is not about the input (53000) is re-raised, not rejected');
SELECT ok(NOT EXISTS (SELECT 1 FROM orders WHERE wc_order_id = 45), 'and nothing of that call is written');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
   '{"id": 42, "status": "completed", "total": "1.00", "date_created_gmt": "2024-01-01T00:00:00"}')$$,
  '22000', NULL, 'strict: the same write failure fails the call');
RESET ROLE;
DROP TRIGGER refuse ON public.orders;
SET LOCAL ROLE woo_app;

-- 4. The e-mail rule on every text stored -----------------------------------------------
SELECT woo.upsert_customers('a0000000-0000-4000-8000-00000000000a',
  '[{"id": 60, "email": "a@example.com", "username": "Jane.Doe@Example.com"},
    {"id": 61, "email": "b@example.com", "first_name": "Bob", "last_name": "(bob@example.com)"},
    {"id": 62, "email": "c@example.com", "username": "PACK@2"}]');
SELECT is((SELECT display_name::text FROM customers WHERE wc_customer_id = 60), 'sha256:' || woo.hash_email('jane.doe@example.com'),
          'a username that is an e-mail is stored as its hash in display_name');
SELECT is((SELECT display_name::text FROM customers WHERE wc_customer_id = 61), 'Bob (sha256:' || woo.hash_email('bob@example.com') || ')',
          'an e-mail inside a name is hashed, the rest kept');
SELECT is((SELECT display_name::text FROM customers WHERE wc_customer_id = 62), 'PACK@2', 'a handle that is no address is kept');
SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
  '{"id": 70, "status": "completed", "total": "1.00", "date_created_gmt": "2024-01-01T00:00:00", "customer_id": 63,
    "billing": {"first_name": "x@example.com", "email": "d@example.com"},
    "line_items": [{"product_id": 64, "name": "Gift for e@example.com", "subtotal": "1.00", "total": "1.00"}]}');
SELECT is((SELECT count(*)::int FROM customers WHERE display_name LIKE '%@example.com%'), 0,
          'no placeholder customer keeps a billing name that is an e-mail');
SELECT is((SELECT count(*)::int FROM order_items WHERE product_name LIKE '%@example.com%') +
          (SELECT count(*)::int FROM products WHERE name LIKE '%@example.com%'), 0,
          'line items and placeholder products keep no e-mail in their names');
SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
  '[{"id": 80, "status": "completed", "total": "jane@example.com", "date_created_gmt": "2024-01-01T00:00:00"},
    {"id": 81, "status": "completed", "total": "1.00", "date_created_gmt": "2024-01-01T00:00:00", "customer_id": "ann@example.com"},
    {"id": 82, "status": "completed", "total": "x", "date_created_gmt": "2024-01-01T00:00:00", "meta": {"joe@example.com": "v", "k": {"kim@example.com": 1}}}]', false);
SELECT is((SELECT error FROM woo.ingest_rejects WHERE wc_id = 80),
          'orders[0] (id 80): total "sha256:' || woo.hash_email('jane@example.com') || '" is not a number',
          'an e-mail in a checked field is hashed in the reject''s error text');
SELECT is((SELECT count(*)::int FROM woo.ingest_rejects WHERE error LIKE '%@%'), 0, 'no reject error text holds an e-mail');
SELECT is((SELECT payload->'meta' FROM woo.ingest_rejects WHERE wc_id = 82),
          jsonb_build_object('sha256:' || woo.hash_email('joe@example.com'), 'v', 'k', jsonb_build_object('sha256:' || woo.hash_email('kim@example.com'), 1)),
          'e-mails in JSON keys of a rejected payload are hashed, at every depth');
SELECT is((SELECT count(*)::int FROM woo.ingest_rejects WHERE payload::text LIKE '%@%'), 0, 'no reject payload holds an e-mail');

-- 5. A lifetime total beyond numeric(12,2) saturates and blocks nothing ---------------
SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
  '{"id": 90, "status": "completed", "total": "9999999999.99", "date_created_gmt": "2024-01-01T00:00:00", "customer_id": 91}');
SELECT results_eq($$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', '[
   {"id": 92, "status": "completed", "total": "5.00", "date_created_gmt": "2024-02-01T00:00:00", "customer_id": 91},
   {"id": 93, "status": "completed", "total": "6.00", "date_created_gmt": "2024-02-01T00:00:00", "customer_id": 94}]')$$,
  $$VALUES (2, 0, 0, 0, 0, 0)$$, 'strict: a later order of a customer already at 9999999999.99 is written, and the others of the call');
SELECT is((SELECT (total_spent, order_count, last_order_date)::text FROM customers WHERE wc_customer_id = 91),
          '(9999999999.99,2,"2024-02-01 00:00:00+00")', 'total_spent saturates at 9999999999.99, the other metrics are exact');
SELECT results_eq($$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
   '{"id": 95, "status": "completed", "total": "7.00", "date_created_gmt": "2024-03-01T00:00:00", "customer_id": 91}', false)$$,
  $$VALUES (1, 0, 0, 0, 0, 0)$$, 'lenient: the same');
SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
  '[{"id": 96, "status": "completed", "total": "-9999999999.99", "date_created_gmt": "2024-01-01T00:00:00", "customer_id": 97},
    {"id": 98, "status": "completed", "total": "-9999999999.99", "date_created_gmt": "2024-01-01T00:00:00", "customer_id": 97}]');
SELECT is((SELECT total_spent FROM customers WHERE wc_customer_id = 97), -9999999999.99::numeric(12,2), 'and at -9999999999.99 below');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM woo.customer_metrics_drift('a0000000-0000-4000-8000-00000000000a')), 0,
          'the stored metrics are what woo.expected_customer_metrics says (saturated alike)');
SET LOCAL ROLE woo_app;

SELECT * FROM finish();
ROLLBACK;
