-- woo.upsert_orders: mapping, replay, stale, update, strict and lenient bad input.
-- Fixtures are the project's own (invented data, shaped like WooCommerce REST v3).
BEGIN;
SELECT plan(58);

INSERT INTO public.stores (id, store_url, api_key_hash, settings) VALUES
    ('a0000000-0000-4000-8000-00000000000a', 'https://shop-a.example', 'x', '{"timezone": "Europe/Paris"}'),
    ('b0000000-0000-4000-8000-00000000000b', 'https://shop-b.example', 'x', '{}');

CREATE TEMP TABLE fx (name text PRIMARY KEY, body jsonb);
GRANT SELECT ON fx TO woo_app;
INSERT INTO fx VALUES ('page', $json$[
 {"id": 901, "status": "processing", "currency": "EUR",
  "date_created": "2024-03-10T10:00:00", "date_created_gmt": "2024-03-10T09:00:00",
  "date_modified": "2024-03-10T10:05:00", "date_modified_gmt": "2024-03-10T09:05:00",
  "discount_total": "5.00", "shipping_total": "4.90", "total": "53.90", "total_tax": "8.99",
  "customer_id": 42, "payment_method": "stripe",
  "billing": {"first_name": "Ada", "last_name": "Lovelace", "email": " Ada.Lovelace@Example.com "},
  "line_items": [
    {"id": 1, "name": "Tee &amp; Cap", "product_id": 70, "variation_id": 71, "quantity": 2, "subtotal": "30.00", "total": "27.00", "sku": "TEE-RED-M"},
    {"id": 2, "name": "Poster", "product_id": 80, "variation_id": 0, "quantity": 1, "subtotal": "24.00", "total": "22.00", "sku": ""}],
  "coupon_lines": [{"id": 5, "code": "spring"}, {"id": 6, "code": "vip"}],
  "refunds": [{"id": 950, "reason": "", "total": "-7.50"}, {"id": 951, "reason": "late", "total": "-2.50"}]},
 {"id": 902, "status": "completed", "currency": "EUR",
  "date_created": "2024-03-11T12:00:00", "date_modified": "2024-03-11T12:30:00",
  "total": "10.00", "total_tax": "", "shipping_total": "0.00", "discount_total": "0.00",
  "customer_id": 0, "payment_method": "bacs",
  "billing": {"first_name": "Guest", "last_name": "Buyer", "email": "guest@example.org"},
  "line_items": [{"id": 3, "name": "Sticker", "product_id": 90, "variation_id": 0, "quantity": 1.5, "subtotal": "10.00", "total": "10.00"}],
  "refunds": []},
 {"id": 903, "status": "pending", "currency": "USD",
  "date_created_gmt": "2024-03-12T08:00:00", "date_modified_gmt": "2024-03-12T08:00:00",
  "total": "0.00", "customer_id": 0, "billing": {"email": ""}, "line_items": []}
]$json$),
('bad_total', '{"id": 910, "status": "processing", "date_created_gmt": "2024-01-01T00:00:00", "total": "12,50", "billing": {"email": "x@y.z"}}'),
('bad_date', '{"id": 911, "status": "processing", "date_created_gmt": "2024-13-45T00:00:00", "total": "1.00"}');

SET LOCAL ROLE woo_app;
SET LOCAL woo.store_id = 'a0000000-0000-4000-8000-00000000000a';

-- First delivery -------------------------------------------------------------------
SELECT results_eq(
    $$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', (SELECT body FROM fx WHERE name = 'page'))$$,
    $$VALUES (3, 0, 0, 0, 0, 0)$$, 'a page of 3 orders: 3 inserted');

SELECT results_eq(
    $$SELECT status::text, currency::text, total, subtotal, tax_total, shipping_total, discount_total, payment_method::text,
             coupon_used::text, refunded_total FROM orders WHERE wc_order_id = 901$$,
    $$VALUES ('processing', 'EUR', 53.90, 54.00, 8.99, 4.90, 5.00, 'stripe', 'spring,vip', 10.00)$$,
    'order 901: money from strings, subtotal = sum of item subtotals, coupons joined, refunds summed positive');
SELECT is((SELECT date_created FROM orders WHERE wc_order_id = 901), '2024-03-10 09:00:00+00'::timestamptz,
          'date_created read from date_created_gmt as UTC');
SELECT is((SELECT date_modified FROM orders WHERE wc_order_id = 901), '2024-03-10 09:05:00+00'::timestamptz,
          'date_modified read from date_modified_gmt as UTC');
SELECT is((SELECT date_created FROM orders WHERE wc_order_id = 902), '2024-03-11 11:00:00+00'::timestamptz,
          'no _gmt twin: local time read in the store timezone (Europe/Paris, UTC+1 in March)');
SELECT is((SELECT tax_total FROM orders WHERE wc_order_id = 902), NULL, 'an empty money string is NULL, not 0');
SELECT is((SELECT currency::text FROM orders WHERE wc_order_id = 903), 'USD', 'currency per order');

-- Line items and products
SELECT is((SELECT count(*)::int FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.wc_order_id = 901), 2, 'order 901 has 2 items');
SELECT results_eq(
    $$SELECT i.product_name::text, i.sku::text, i.quantity, i.subtotal, i.total, p.wc_product_id
        FROM order_items i JOIN orders o ON o.id = i.order_id LEFT JOIN products p ON p.id = i.product_id
       WHERE o.wc_order_id = 901 ORDER BY i.subtotal$$,
    $$VALUES ('Poster', NULL, 1::numeric, 24.00, 22.00, 80), ('Tee & Cap', 'TEE-RED-M', 2::numeric, 30.00, 27.00, 71)$$,
    'items: names decoded, empty sku NULL, product resolved through variation_id when non-zero');
SELECT is((SELECT quantity FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.wc_order_id = 902), 1.5,
          'fractional quantity kept exactly');
SELECT results_eq(
    $$SELECT wc_product_id, name::text, sku::text FROM products ORDER BY wc_product_id$$,
    $$VALUES (71, 'Tee & Cap', 'TEE-RED-M'), (80, 'Poster', NULL), (90, 'Sticker', NULL)$$,
    'products not yet synced get placeholder rows (name and sku from the item)');
SELECT is((SELECT count(*)::int FROM order_items WHERE product_id IS NULL), 0, 'no item lost its product link');
SELECT is((SELECT count(*)::int FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.wc_order_id = 903), 0,
          'an order with no line items has none');

-- Customers
SELECT results_eq(
    $$SELECT c.wc_customer_id, c.email_hash::text, c.display_name::text FROM orders o JOIN customers c ON c.id = o.customer_id
       WHERE o.wc_order_id = 901$$,
    $$VALUES (42, woo.hash_email('ada.lovelace@example.com'), 'Ada Lovelace')$$,
    'registered customer not yet synced: placeholder with the billing e-mail hash and name');
SELECT results_eq(
    $$SELECT c.wc_customer_id, c.email_hash::text FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.wc_order_id = 902$$,
    $$VALUES (NULL::int, woo.hash_email('guest@example.org'))$$,
    'guest (customer_id 0): a customer identified by the billing e-mail hash');
SELECT is((SELECT customer_id FROM orders WHERE wc_order_id = 903), NULL, 'guest with an empty billing e-mail: no customer');
SELECT is((SELECT count(*)::int FROM customers WHERE email_hash !~ '^[0-9a-f]{64}$'), 0, 'every stored e-mail is a SHA-256 hash');

-- Replays, stale deliveries, updates -------------------------------------------------
RESET ROLE;  -- woo_app has no TEMPORARY privilege
CREATE TEMP TABLE before_replay AS SELECT wc_order_id, xmin::text AS x FROM orders;
GRANT SELECT ON before_replay TO woo_app;
SET LOCAL ROLE woo_app;
SELECT results_eq(
    $$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', (SELECT body FROM fx WHERE name = 'page'))$$,
    $$VALUES (0, 0, 3, 0, 0, 0)$$, 'identical re-delivery: 3 unchanged');
SELECT is((SELECT count(*)::int FROM orders o JOIN before_replay b USING (wc_order_id) WHERE o.xmin::text <> b.x), 0,
          'an unchanged re-delivery rewrites no row');
SELECT results_eq(
    $$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', (SELECT body FROM fx WHERE name = 'page')->1)$$,
    $$VALUES (0, 0, 1, 0, 0, 0)$$, 'the same order as a single object (webhook shape) is recognised as unchanged');

SELECT results_eq(
    $$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
        jsonb_set(jsonb_set((SELECT body FROM fx WHERE name = 'page')->0, '{date_modified_gmt}', '"2024-03-10T08:00:00"'),
                  '{status}', '"cancelled"'))$$,
    $$VALUES (0, 0, 0, 1, 0, 0)$$, 'an older date_modified_gmt is skipped as stale');
SELECT is((SELECT status::text FROM orders WHERE wc_order_id = 901), 'processing', 'the stale delivery changed nothing');

SELECT results_eq(
    $$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
        jsonb_set(jsonb_set(jsonb_set((SELECT body FROM fx WHERE name = 'page')->0, '{date_modified_gmt}', '"2024-03-12T10:00:00"'),
                  '{status}', '"completed"'), '{line_items}',
                  '[{"id": 1, "name": "Tee & Cap", "product_id": 70, "variation_id": 71, "quantity": 3, "subtotal": "45.00", "total": "45.00"}]'))$$,
    $$VALUES (0, 1, 0, 0, 0, 0)$$, 'a newer version is an update');
SELECT results_eq(
    $$SELECT status::text, subtotal FROM orders WHERE wc_order_id = 901$$, $$VALUES ('completed', 45.00)$$, 'update applied');
SELECT results_eq(
    $$SELECT i.product_name::text, i.quantity FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.wc_order_id = 901$$,
    $$VALUES ('Tee & Cap', 3::numeric)$$, 'the items were replaced: the removed item did not survive');

SELECT results_eq(
    $$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', jsonb_build_array(
        jsonb_set((SELECT body FROM fx WHERE name = 'page')->2, '{status}', '"on-hold"'),
        jsonb_set(jsonb_set((SELECT body FROM fx WHERE name = 'page')->2, '{status}', '"failed"'), '{date_modified_gmt}', '"2024-03-13T00:00:00"')))$$,
    $$VALUES (0, 2, 0, 0, 0, 0)$$, 'the same id twice in one payload: applied in order, no "affect row twice" error');
SELECT is((SELECT status::text FROM orders WHERE wc_order_id = 903), 'failed', 'the later duplicate wins');

-- Strict: a bad record fails the whole call, naming record, id and field -------------
SELECT throws_ok(
    $$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
        jsonb_build_array((SELECT body FROM fx WHERE name = 'page')->1, (SELECT body FROM fx WHERE name = 'bad_total')))$$,
    '22P02', 'orders[1] (id 910): total "12,50" is not a number', 'strict: bad money names record, id and field (22P02)');
SELECT is((SELECT count(*)::int FROM orders WHERE wc_order_id = 910), 0, 'strict failure wrote nothing');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', (SELECT body FROM fx WHERE name = 'bad_date'))$$,
    '22007', 'orders[0] (id 911): date_created_gmt "2024-13-45T00:00:00" is not a date (YYYY-MM-DDTHH:MM:SS)', 'bad date (22007)');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', '[{"status": "x"}]')$$,
    '22023', 'orders[0]: id is required', 'missing id (22023)');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', '[{"id": "abc"}]')$$,
    '22P02', 'orders[0]: id "abc" is not a WooCommerce id (a positive integer)', 'id as a string (22P02)');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', '[{"id": -4}]')$$,
    '22003', 'orders[0]: id -4 is out of range for a WooCommerce id (1 to 2147483647)', 'negative id (22003: an integer out of range)');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', '[1, 2]')$$,
    '22023', 'orders[0]: is not a JSON object', 'an array element that is not an object (22023)');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', '"order"')$$,
    '22023', 'payload must be a JSON object or an array of objects, not a scalar', 'a scalar payload (22023)');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
        '{"id": 912, "status": "processing", "date_created_gmt": "2024-01-01T00:00:00", "total": "1.00", "line_items": {"a": 1}}')$$,
    '22023', 'orders[0] (id 912): line_items must be a JSON array', 'line_items not an array (22023)');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
        '{"id": 913, "status": "processing", "date_created_gmt": "2024-01-01T00:00:00", "total": "1.00", "line_items": [7]}')$$,
    '22023', 'orders[0] (id 913): line_items[0] is not a JSON object', 'a line item that is not an object (22023)');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
        '{"id": 914, "status": "processing", "date_created_gmt": "2024-01-01T00:00:00", "total": "1.00", "line_items": [{"product_id": 1, "quantity": "two"}]}')$$,
    '22P02', NULL, 'a non-numeric quantity (22P02)');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
        '{"id": 915, "status": "processing", "date_created_gmt": "2024-01-01T00:00:00", "total": "99999999999.00"}')$$,
    '22003', NULL, 'money beyond numeric(12,2) (22003)');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
        '{"id": 916, "date_created_gmt": "2024-01-01T00:00:00", "total": "1.00"}')$$,
    '22023', 'orders[0] (id 916): status is required', 'missing status (22023)');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
        jsonb_build_object('id', 917, 'status', repeat('x', 51), 'date_created_gmt', '2024-01-01T00:00:00', 'total', '1.00'))$$,
    '22001', 'orders[0] (id 917): status is longer than 50 characters', 'too long for varchar(50) (22001)');
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', NULL)$$,
    '22004', NULL, 'NULL payload (22004)');
SELECT is((SELECT count(*)::int FROM orders WHERE wc_order_id BETWEEN 910 AND 917), 0, 'no failed strict call wrote anything');

-- Lenient: valid records are written, invalid ones kept (e-mails hashed) -------------
SELECT results_eq(
    $$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', jsonb_build_array(
        (SELECT body FROM fx WHERE name = 'bad_total'), (SELECT body FROM fx WHERE name = 'bad_date'),
        '{"id": 920, "status": "processing", "date_created_gmt": "2024-01-02T00:00:00", "total": "3.00"}'::jsonb,
        '"not an object"'::jsonb), false)$$,
    $$VALUES (1, 0, 0, 0, 0, 3)$$, 'lenient: 1 inserted, 3 rejected, nothing dropped silently');
SELECT results_eq(
    $$SELECT resource::text, wc_id, sqlstate::text, error FROM woo.ingest_rejects ORDER BY wc_id NULLS LAST$$,
    $$VALUES ('orders', 910::bigint, '22P02', 'orders[0] (id 910): total "12,50" is not a number'),
             ('orders', 911::bigint, '22007', 'orders[1] (id 911): date_created_gmt "2024-13-45T00:00:00" is not a date (YYYY-MM-DDTHH:MM:SS)'),
             ('orders', NULL::bigint, '22023', 'orders[3]: is not a JSON object')$$,
    'each reject keeps resource, id, SQLSTATE and the message');
SELECT is((SELECT payload->'billing'->>'email' FROM woo.ingest_rejects WHERE wc_id = 910), 'sha256:' || woo.hash_email('x@y.z'),
          'a rejected payload keeps the e-mail only as its hash');
SELECT is((SELECT count(*)::int FROM woo.ingest_rejects WHERE payload::text LIKE '%@%'), 0, 'no plaintext e-mail in any reject');
SELECT is((SELECT payload->>'total' FROM woo.ingest_rejects WHERE wc_id = 910), '12,50', 'the rest of the rejected record is kept whole');

-- Tenant binding ---------------------------------------------------------------------
SELECT throws_ok($$SELECT woo.upsert_orders('b0000000-0000-4000-8000-00000000000b', (SELECT body FROM fx WHERE name = 'page'))$$,
    '42501', NULL, 'store_id other than the bound store: 42501');
SELECT throws_ok($$SELECT woo.upsert_orders('c0000000-0000-4000-8000-00000000000c', '[]')$$,
    '42501', NULL, 'an unknown store id is refused the same way');
SELECT results_eq($$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', '[]')$$,
    $$VALUES (0, 0, 0, 0, 0, 0)$$, 'an empty page does nothing');
RESET ROLE;
SET LOCAL woo.store_id = 'b0000000-0000-4000-8000-00000000000b';
SET LOCAL ROLE woo_app;
SELECT is((SELECT count(*)::int FROM orders), 0, 'store B sees none of store A''s orders');
SELECT results_eq(
    $$SELECT * FROM woo.upsert_orders('b0000000-0000-4000-8000-00000000000b', (SELECT body FROM fx WHERE name = 'page'))$$,
    $$VALUES (3, 0, 0, 0, 0, 0)$$, 'the same WooCommerce ids in store B are new orders of store B');
SELECT is((SELECT count(DISTINCT store_id)::int FROM order_items), 1, 'store B''s items belong to store B only');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM orders WHERE wc_order_id = 901), 2, 'as the owner: order 901 exists once per store');
SELECT is((SELECT count(*)::int FROM products), 6, 'placeholder products were made per store (3 + 3)');
SET LOCAL ROLE woo_ai;
SELECT throws_ok($$SELECT woo.upsert_orders('b0000000-0000-4000-8000-00000000000b', '[]')$$,
    '42501', NULL, 'woo_ai cannot call woo.upsert_orders');
RESET ROLE;
RESET woo.store_id;
SET LOCAL ROLE woo_app;
SELECT throws_ok($$SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', '[]')$$,
    '42501', NULL, 'no bound store: 42501');

SELECT * FROM finish();
ROLLBACK;
