-- Unchanged re-deliveries by fingerprint (issue 11): payload_hash is the content hash
-- (what a record maps to) followed by the record's fingerprint (its jsonb bytes,
-- with the store's timezone and the mapping's version). A re-delivery with the
-- same fingerprint is unchanged without being parsed and without locking the row;
-- one whose fingerprint differs is parsed and compared by content.
BEGIN;
SELECT plan(21);

INSERT INTO public.stores (id, store_url, api_key_hash, settings) VALUES
    ('a0000000-0000-4000-8000-00000000000a', 'https://shop-a.example', 'x', '{"timezone": "Europe/Paris"}');
CREATE TEMP TABLE fx (name text PRIMARY KEY, body jsonb);
GRANT SELECT ON fx TO woo_app;
-- Order 1 has local dates only (no *_gmt): they are read in the store's timezone.
INSERT INTO fx VALUES ('orders', $json$[
 {"id": 1, "status": "processing", "currency": "EUR", "date_created": "2024-03-10T10:00:00", "date_modified": "2024-03-10T10:05:00",
  "total": "20.00", "customer_id": 0, "billing": {"first_name": "Guest", "email": "guest@example.org"},
  "line_items": [{"id": 1, "name": "Mug", "product_id": 7, "quantity": 2, "subtotal": "20.00", "total": "20.00"}]},
 {"id": 2, "status": "completed", "currency": "EUR", "date_created_gmt": "2024-03-11T09:00:00", "date_modified_gmt": "2024-03-11T09:05:00",
  "total": "5.00", "customer_id": 42, "billing": {"first_name": "Ada", "email": "ada@example.com"},
  "line_items": [{"id": 2, "name": "Pen", "product_id": 8, "quantity": 1, "subtotal": "5.00", "total": "5.00"}]}]$json$),
 ('products', $json$[
 {"id": 7, "name": "Mug", "sku": "MUG", "price": "10.00", "regular_price": "10.00", "date_modified_gmt": "2024-02-01T10:00:00"},
 {"id": 8, "name": "Pen", "sku": "PEN", "price": "5.00", "regular_price": "5.00", "date_modified_gmt": "2024-02-01T10:00:00"}]$json$),
 ('customers', '[{"id": 42, "email": "ada@example.com", "first_name": "Ada", "last_name": "L"}]'),
 ('coupons', '[{"id": 5, "code": "spring", "discount_type": "percent", "amount": "10.00", "usage_count": 1}]');

SET LOCAL woo.store_id = 'a0000000-0000-4000-8000-00000000000a';
SET LOCAL ROLE woo_app;
SELECT results_eq($$SELECT * FROM woo.upsert_products('a0000000-0000-4000-8000-00000000000a', (SELECT body FROM fx WHERE name = 'products'))$$,
    $$VALUES (2, 0, 0, 0, 0, 0)$$, 'setup: products');
SELECT results_eq($$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', (SELECT body FROM fx WHERE name = 'orders'))$$,
    $$VALUES (2, 0, 0, 0, 0, 0)$$, 'setup: two orders');
SELECT results_eq($$SELECT * FROM woo.upsert_customers('a0000000-0000-4000-8000-00000000000a', (SELECT body FROM fx WHERE name = 'customers'))$$,
    $$VALUES (0, 1, 0, 0, 0, 0)$$, 'setup: the customer');
SELECT results_eq($$SELECT * FROM woo.upsert_coupons('a0000000-0000-4000-8000-00000000000a', (SELECT body FROM fx WHERE name = 'coupons'))$$,
    $$VALUES (1, 0, 0, 0, 0, 0)$$, 'setup: the coupon');
SELECT is((SELECT array_agg(DISTINCT octet_length(payload_hash)) FROM orders), ARRAY[64],
          'an order''s payload_hash is its content hash and its fingerprint (64 bytes)');

-- An identical re-delivery: unchanged, and no row is even locked (a lock taken in
-- this subtransaction would put its transaction id in xmax).
RESET ROLE;
CREATE TEMP TABLE locks_before AS SELECT wc_order_id, xmax::text AS x FROM orders;
GRANT SELECT ON locks_before TO woo_app;
SET LOCAL ROLE woo_app;
SAVEPOINT redeliver;
SELECT results_eq($$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', (SELECT body FROM fx WHERE name = 'orders'))$$,
    $$VALUES (0, 0, 2, 0, 0, 0)$$, 'identical re-delivery of the orders: unchanged');
SELECT is((SELECT count(*)::int FROM orders o JOIN locks_before b USING (wc_order_id) WHERE o.xmax::text <> b.x), 0,
          'an identical re-delivery locks no order');
SELECT results_eq($$SELECT * FROM woo.upsert_products('a0000000-0000-4000-8000-00000000000a', (SELECT body FROM fx WHERE name = 'products'))$$,
    $$VALUES (0, 0, 2, 0, 0, 0)$$, 'products: unchanged');
SELECT results_eq($$SELECT * FROM woo.upsert_customers('a0000000-0000-4000-8000-00000000000a', (SELECT body FROM fx WHERE name = 'customers'))$$,
    $$VALUES (0, 0, 1, 0, 0, 0)$$, 'customers: unchanged');
SELECT results_eq($$SELECT * FROM woo.upsert_coupons('a0000000-0000-4000-8000-00000000000a', (SELECT body FROM fx WHERE name = 'coupons'))$$,
    $$VALUES (0, 0, 1, 0, 0, 0)$$, 'coupons: unchanged');
SELECT results_eq($$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', (SELECT body FROM fx WHERE name = 'orders')->1)$$,
    $$VALUES (0, 0, 1, 0, 0, 0)$$, 'the same order as a webhook body (a top-level object): unchanged');
RELEASE SAVEPOINT redeliver;

-- A different fingerprint with the same content (WooCommerce added meta_data and
-- _links): parsed, compared by content, still unchanged; nothing is rewritten.
RESET ROLE;
CREATE TEMP TABLE before AS SELECT wc_order_id, xmin::text AS x, payload_hash FROM orders;
GRANT SELECT ON before TO woo_app;
SET LOCAL ROLE woo_app;
SELECT results_eq($$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
        (SELECT jsonb_agg(o || '{"meta_data": [{"id": 1, "key": "_x", "value": "y"}], "_links": {"self": []}}') FROM jsonb_array_elements((SELECT body FROM fx WHERE name = 'orders')) o))$$,
    $$VALUES (0, 0, 2, 0, 0, 0)$$, 'meta_data and _links added: unchanged by content');
SELECT is((SELECT count(*)::int FROM orders o JOIN before b USING (wc_order_id) WHERE o.xmin::text <> b.x OR o.payload_hash <> b.payload_hash), 0,
          'nothing was rewritten, the stored hash kept');
SELECT results_eq($$SELECT * FROM woo.upsert_products('a0000000-0000-4000-8000-00000000000a',
        (SELECT jsonb_agg(p || '{"meta_data": [{"id": 3, "key": "_k", "value": "v"}]}') FROM jsonb_array_elements((SELECT body FROM fx WHERE name = 'products')) p))$$,
    $$VALUES (0, 0, 2, 0, 0, 0)$$, 'products with meta_data added: unchanged by content');

-- A real change is written, fingerprint or not.
SELECT results_eq($$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
        jsonb_set((SELECT body FROM fx WHERE name = 'orders')->1, '{total}', '"6.00"'))$$,
    $$VALUES (0, 1, 0, 0, 0, 0)$$, 'a changed total is an update');

-- The fingerprint covers the store's timezone: the same local dates in another
-- timezone are other instants, so the same bytes are written again.
RESET ROLE;
UPDATE public.stores SET settings = '{"timezone": "UTC"}' WHERE id = 'a0000000-0000-4000-8000-00000000000a';
SET LOCAL ROLE woo_app;
SELECT results_eq($$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', (SELECT body FROM fx WHERE name = 'orders')->0)$$,
    $$VALUES (0, 1, 0, 0, 0, 0)$$, 'the store''s timezone changed: an order with local dates is written again');
SELECT is((SELECT date_created FROM orders WHERE wc_order_id = 1), '2024-03-10 10:00:00+00'::timestamptz,
          'its local date_created is now read as UTC');
SELECT results_eq($$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', (SELECT body FROM fx WHERE name = 'orders')->0)$$,
    $$VALUES (0, 0, 1, 0, 0, 0)$$, 'and is unchanged when delivered again');

-- Rows written by 1.5 or earlier hold the content hash alone (32 bytes): compared by content.
RESET ROLE;
UPDATE public.orders SET payload_hash = substring(payload_hash FROM 1 FOR 32);
UPDATE public.products SET payload_hash = substring(payload_hash FROM 1 FOR 32);
SET LOCAL ROLE woo_app;
SELECT results_eq($$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', (SELECT body FROM fx WHERE name = 'orders')->0)$$,
    $$VALUES (0, 0, 1, 0, 0, 0)$$, 'a 32-byte (1.5) hash: an identical order is unchanged by content');
SELECT results_eq($$SELECT * FROM woo.upsert_products('a0000000-0000-4000-8000-00000000000a', (SELECT body FROM fx WHERE name = 'products'))$$,
    $$VALUES (0, 0, 2, 0, 0, 0)$$, 'a 32-byte (1.5) hash: identical products are unchanged by content');
SELECT results_eq($$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
        jsonb_set((SELECT body FROM fx WHERE name = 'orders')->0, '{status}', '"completed"'))$$,
    $$VALUES (0, 1, 0, 0, 0, 0)$$, 'a 32-byte (1.5) hash: a changed order is an update');

SELECT * FROM finish();
ROLLBACK;
