-- Refunds as dated rows (issue 14, extension 1.6): public.refunds filled from an order's refunds[]
-- (dated at the order's date_modified) and by woo.upsert_refunds from
-- /orders/<id>/refunds pages (exact dates); orders.refunded_total is their sum;
-- tenant isolation and privileges like every table.
BEGIN;
SELECT plan(35);

INSERT INTO public.stores (id, store_url, api_key_hash) VALUES
    ('e0000000-0000-4000-8000-000000000001', 'https://refunds-a.example', 'x'),
    ('e0000000-0000-4000-8000-000000000002', 'https://refunds-b.example', 'x');
CREATE TEMP TABLE res (k text PRIMARY KEY, r woo.upsert_result);
GRANT ALL ON res TO woo_app;
SET LOCAL ROLE woo_app;
SELECT woo.set_store('e0000000-0000-4000-8000-000000000001');

-- Order 723 of the WooCommerce docs (refunds[] has ids and negative totals, no dates).
INSERT INTO res SELECT 'order', woo.upsert_orders('e0000000-0000-4000-8000-000000000001', $${
  "id": 723, "status": "completed", "total": "39.00", "total_tax": "0.00", "shipping_total": "10.00",
  "date_created_gmt": "2017-03-21T19:24:46", "date_modified_gmt": "2017-03-21T20:07:11", "customer_id": 26,
  "billing": {"email": "joao.silva@example.com"},
  "line_items": [{"product_id": 22, "quantity": 1, "subtotal": "29.00", "total": "29.00", "name": "Ship Your Idea"}],
  "refunds": [{"id": 726, "refund": "", "total": "-10.00"}, {"id": 724, "refund": "", "total": "-9.00"}]}$$);
SELECT results_eq($$SELECT wc_refund_id, amount, date_created, date_exact FROM refunds ORDER BY wc_refund_id$$,
                  $$VALUES (724, 9.00::numeric(12,2), '2017-03-21 20:07:11+00'::timestamptz, false),
                           (726, 10.00, '2017-03-21 20:07:11+00', false)$$,
                  'refunds[] gives one row per refund, positive amounts, dated at the order''s date_modified (not exact)');
SELECT is((SELECT refunded_total FROM orders WHERE wc_order_id = 723), 19.00::numeric(12,2), 'refunded_total is their sum');
SELECT is((SELECT total_spent FROM customers WHERE wc_customer_id = 26), 20.00::numeric(12,2), 'the customer''s total_spent is net of them');

-- The /orders/723/refunds page (shape of docs_v3_order_723_refunds_list.json): exact dates.
INSERT INTO res SELECT 'page', woo.upsert_refunds('e0000000-0000-4000-8000-000000000001', 723, $$[
  {"id": 726, "date_created": "2017-03-21T17:07:11", "date_created_gmt": "2017-03-21T20:07:11", "amount": "10.00", "reason": "",
   "refunded_by": 1, "refunded_payment": false, "meta_data": [], "line_items": []},
  {"id": 724, "date_created": "2017-03-21T16:55:37", "date_created_gmt": "2017-03-21T19:55:37", "amount": "9.00", "reason": "",
   "refunded_by": 1, "refunded_payment": false, "meta_data": [], "line_items": []}]$$);
SELECT is((SELECT r::text FROM res WHERE k = 'page'), '(0,2,0,0,0,0)', 'upsert_refunds: both refunds updated (they were known from refunds[])');
SELECT results_eq($$SELECT wc_refund_id, date_created, date_exact FROM refunds ORDER BY wc_refund_id$$,
                  $$VALUES (724, '2017-03-21 19:55:37+00'::timestamptz, true), (726, '2017-03-21 20:07:11+00', true)$$,
                  'the page gives each refund its exact date (date_created_gmt, UTC)');
INSERT INTO res SELECT 'page again', woo.upsert_refunds('e0000000-0000-4000-8000-000000000001', 723, $$[
  {"id": 726, "date_created_gmt": "2017-03-21T20:07:11", "amount": "10.00", "reason": ""},
  {"id": 724, "date_created_gmt": "2017-03-21T19:55:37", "amount": "9.00", "reason": ""}]$$);
SELECT is((SELECT r::text FROM res WHERE k = 'page again'), '(0,0,2,0,0,0)', 'the same page again: unchanged');

-- A refund known only from the page: inserted; refunded_total and the customer follow.
INSERT INTO res SELECT 'new', woo.upsert_refunds('e0000000-0000-4000-8000-000000000001', 723,
    $${"id": 730, "date_created_gmt": "2017-04-02T08:00:00", "amount": "5.50", "reason": "Scratched"}$$);
SELECT is((SELECT r::text FROM res WHERE k = 'new'), '(1,0,0,0,0,0)', 'one refund object: inserted');
SELECT is((SELECT refunded_total FROM orders WHERE wc_order_id = 723), 24.50::numeric(12,2), 'refunded_total is the sum of the three rows');
SELECT is((SELECT total_spent FROM customers WHERE wc_customer_id = 26), 14.50::numeric(12,2), 'the customer''s total_spent follows');
SELECT is((SELECT reason FROM refunds WHERE wc_refund_id = 730), 'Scratched', 'the reason is kept');

-- The order re-delivered with its three refunds: exact dates stay.
INSERT INTO res SELECT 'order again', woo.upsert_orders('e0000000-0000-4000-8000-000000000001', $${
  "id": 723, "status": "completed", "total": "39.00", "total_tax": "0.00", "shipping_total": "10.00",
  "date_created_gmt": "2017-03-21T19:24:46", "date_modified_gmt": "2017-04-02T08:00:05", "customer_id": 26,
  "line_items": [{"product_id": 22, "quantity": 1, "subtotal": "29.00", "total": "29.00", "name": "Ship Your Idea"}],
  "refunds": [{"id": 730, "reason": "Scratched", "total": "-5.50"}, {"id": 726, "reason": "", "total": "-10.00"},
              {"id": 724, "reason": "", "total": "-9.00"}]}$$);
SELECT is((SELECT (r).updated FROM res WHERE k = 'order again'), 1, 'the order re-delivered: updated');
SELECT is((SELECT count(*)::int FROM refunds WHERE date_exact), 3, 'a re-delivery keeps the refunds'' exact dates');
SELECT is((SELECT refunded_total FROM orders WHERE wc_order_id = 723), (SELECT sum(amount) FROM refunds), 'refunded_total = sum of rows');

-- A re-delivery without one refund drops its row.
INSERT INTO res SELECT 'order dropped', woo.upsert_orders('e0000000-0000-4000-8000-000000000001', $${
  "id": 723, "status": "completed", "total": "39.00", "date_created_gmt": "2017-03-21T19:24:46",
  "date_modified_gmt": "2017-04-03T08:00:00", "customer_id": 26,
  "refunds": [{"id": 726, "reason": "", "total": "-10.00"}, {"id": 724, "reason": "", "total": "-9.00"}]}$$);
SELECT results_eq($$SELECT wc_refund_id FROM refunds ORDER BY 1$$, $$VALUES (724), (726)$$,
                  'a refund no longer in refunds[] is gone');
SELECT is((SELECT refunded_total FROM orders WHERE wc_order_id = 723), 19.00::numeric(12,2), 'refunded_total is again their sum');
-- An entry without an id is keyed by its position (-1, -2, ...): stable across re-deliveries.
INSERT INTO res SELECT 'no id', woo.upsert_orders('e0000000-0000-4000-8000-000000000001', $${
  "id": 800, "status": "processing", "total": "20.00", "date_created_gmt": "2024-05-01T10:00:00",
  "date_modified_gmt": "2024-05-02T10:00:00", "refunds": [{"reason": "Sold out", "total": "-16.20"}]}$$);
SELECT is((SELECT wc_refund_id || ' ' || amount FROM refunds r JOIN orders o ON o.id = r.order_id WHERE o.wc_order_id = 800),
          '-1 16.20', 'a refund listed without an id is stored as wc_refund_id -1');

-- Bad input: strict raises naming record and field, nothing written; lenient rejects and keeps the rest.
SELECT throws_ok($$SELECT woo.upsert_refunds('e0000000-0000-4000-8000-000000000001', 723,
                       '[{"id": 731, "date_created_gmt": "2017-05-01T00:00:00", "amount": "1.00"},
                         {"id": 732, "date_created_gmt": "2017-05-01T00:00:00", "amount": "1,00"}]')$$,
                 '22023', 'refunds[1] (id 732): amount must be a decimal number, not 1,00', 'strict: a bad amount names the record and field');
SELECT is((SELECT count(*)::int FROM refunds WHERE wc_refund_id IN (731, 732)), 0, 'strict: nothing of the failed call was written');
SELECT throws_ok($$SELECT woo.upsert_refunds('e0000000-0000-4000-8000-000000000001', 723,
                       '{"id": 733, "date_created_gmt": "yesterday-ish", "amount": "1.00"}')$$,
                 '22007', NULL, 'strict: a bad date_created_gmt is 22007');
SELECT throws_ok($$SELECT woo.upsert_refunds('e0000000-0000-4000-8000-000000000001', 723, '{"amount": "1.00"}')$$,
                 '22023', 'refunds[0]: id must be a positive integer', 'strict: a missing id');
INSERT INTO res SELECT 'lenient', woo.upsert_refunds('e0000000-0000-4000-8000-000000000001', 723,
    $$[{"id": 731, "date_created_gmt": "2017-05-01T00:00:00", "amount": "1.00"},
       {"id": 732, "date_created_gmt": "2017-05-01T00:00:00", "amount": "1,00"}]$$, false);
SELECT is((SELECT r::text FROM res WHERE k = 'lenient'), '(1,0,0,0,0,1)', 'lenient: one inserted, one rejected');
SELECT is((SELECT error FROM woo.ingest_rejects WHERE resource = 'refunds' AND wc_id = 732),
          'refunds[1] (id 732): amount must be a decimal number, not 1,00', 'lenient: the rejected refund is kept in woo.ingest_rejects with its reason');
SELECT is((SELECT refunded_total FROM orders WHERE wc_order_id = 723), 20.00::numeric(12,2), 'lenient: refunded_total counts the accepted one');
-- A reason with an e-mail address is stored with the address hashed, like every text.
INSERT INTO res SELECT 'mail', woo.upsert_refunds('e0000000-0000-4000-8000-000000000001', 800,
    $${"data": [{"id": 801, "date_created_gmt": "2024-05-03T10:00:00", "amount": "1.00", "reason": "asked by jane@example.com"}]}$$);
SELECT is((SELECT reason FROM refunds WHERE wc_refund_id = 801), 'asked by sha256:' || woo.hash_email('jane@example.com'),
          'a page wrapped as {"data": [...]} is read; an address in the reason is stored as its hash');
SELECT throws_ok($$SELECT woo.upsert_refunds('e0000000-0000-4000-8000-000000000001', 999, '[]')$$,
                 '23503', 'refunds: order 999 is not stored in this store', 'an unknown order is refused');
SELECT throws_ok($$SELECT woo.upsert_refunds('e0000000-0000-4000-8000-000000000002', 723, '[]')$$,
                 '42501', NULL, 'another store than the bound one is refused');
SELECT throws_ok($$SELECT woo.upsert_refunds('e0000000-0000-4000-8000-000000000001', 723, '"x"')$$,
                 '22023', NULL, 'a payload that is neither object nor array is refused');

-- Tenant isolation: store B sees none of A's refunds and cannot attach one to A's order.
SELECT woo.set_store('e0000000-0000-4000-8000-000000000002');
SELECT is((SELECT count(*)::int FROM refunds), 0, 'woo_app bound to B: no refund of A is visible');
SELECT throws_ok($$INSERT INTO refunds (store_id, order_id, wc_refund_id, amount, date_created)
                   SELECT 'e0000000-0000-4000-8000-000000000001', gen_random_uuid(), 1, 1, now()$$,
                 '42501', NULL, 'woo_app bound to B: a refund row for store A is refused (RLS)');
RESET ROLE;
SELECT throws_ok($$INSERT INTO refunds (store_id, order_id, wc_refund_id, amount, date_created)
                   SELECT 'e0000000-0000-4000-8000-000000000002', o.id, 1, 1, now() FROM orders o WHERE o.wc_order_id = 723$$,
                 '23503', NULL, 'even the owner cannot attach store B''s refund to store A''s order (same-store foreign key)');
SELECT set_config('woo.store_id', 'e0000000-0000-4000-8000-000000000001', true);
SET LOCAL ROLE woo_ai;
SELECT is((SELECT count(*)::int FROM refunds), 5, 'woo_ai bound to A reads A''s refunds');
SELECT throws_ok($$DELETE FROM refunds$$, '42501', NULL, 'woo_ai cannot delete refunds');
RESET ROLE;
-- Deleting the order deletes its refunds.
SELECT set_config('woo.store_id', 'e0000000-0000-4000-8000-000000000001', true);
SET LOCAL ROLE woo_app;
SELECT woo.apply_webhook('e0000000-0000-4000-8000-000000000001', 'order.deleted', '{"id": 723}');
SELECT is((SELECT count(*)::int FROM refunds r JOIN orders o ON o.id = r.order_id WHERE o.wc_order_id = 723), 0,
          'an order''s refunds go with it');
SELECT woo.deactivate_store('e0000000-0000-4000-8000-000000000001');
SELECT throws_ok($$SELECT woo.upsert_refunds('e0000000-0000-4000-8000-000000000001', 800, '[]')$$,
                 '55000', 'store e0000000-0000-4000-8000-000000000001 is deactivated: ingestion and webhooks are refused',
                 'a deactivated store''s refunds are refused like its other ingestion');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM refunds WHERE store_id = 'e0000000-0000-4000-8000-000000000001'), 2,
          'what is left: order 800''s two refunds');

SELECT * FROM finish();
ROLLBACK;
