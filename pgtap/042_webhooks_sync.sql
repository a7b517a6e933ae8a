-- woo.apply_webhook, woo.verify_webhook_signature, woo.sync_start / woo.sync_finish.
BEGIN;
SELECT plan(32);

INSERT INTO public.stores (id, store_url, api_key_hash) VALUES
    ('a0000000-0000-4000-8000-00000000000a', 'https://shop-a.example', 'x');
SET LOCAL woo.store_id = 'a0000000-0000-4000-8000-00000000000a';

CREATE TEMP TABLE o AS SELECT $json${"id": 600, "status": "processing", "date_created_gmt": "2024-04-01T10:00:00",
  "date_modified_gmt": "2024-04-01T10:00:00", "total": "12.00", "customer_id": 0,
  "billing": {"email": "hook@example.com"},
  "line_items": [{"id": 1, "name": "Pin", "product_id": 300, "variation_id": 0, "quantity": 1, "subtotal": "12.00", "total": "12.00"}]}$json$::jsonb AS body;
GRANT SELECT ON o TO woo_app;
SET LOCAL ROLE woo_app;

-- Webhook topics --------------------------------------------------------------------
SELECT results_eq($$SELECT * FROM woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'order.created', (SELECT body FROM o))$$,
    $$VALUES (1, 0, 0, 0, 0, 0)$$, 'order.created inserts');
SELECT results_eq($$SELECT * FROM woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'order.created', (SELECT body FROM o))$$,
    $$VALUES (0, 0, 1, 0, 0, 0)$$, 'a duplicated delivery is unchanged');
SELECT results_eq($$SELECT * FROM woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'order.updated',
        jsonb_set((SELECT body FROM o), '{date_modified_gmt}', '"2024-03-01T00:00:00"'))$$,
    $$VALUES (0, 0, 0, 1, 0, 0)$$, 'an out-of-order older update is skipped as stale');
SELECT results_eq($$SELECT * FROM woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'order.updated',
        jsonb_set(jsonb_set((SELECT body FROM o), '{date_modified_gmt}', '"2024-04-02T00:00:00"'), '{status}', '"completed"'))$$,
    $$VALUES (0, 1, 0, 0, 0, 0)$$, 'order.updated with a newer version updates');
SELECT results_eq($$SELECT * FROM woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'order.deleted', '{"id": 600}')$$,
    $$VALUES (0, 0, 0, 0, 1, 0)$$, 'order.deleted removes the order');
SELECT is((SELECT count(*)::int FROM orders WHERE wc_order_id = 600), 0, 'the order is gone');
SELECT is((SELECT count(*)::int FROM order_items), 0, 'its items went with it (cascade)');
SELECT results_eq($$SELECT * FROM woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'order.deleted', '{"id": 600}')$$,
    $$VALUES (0, 0, 1, 0, 0, 0)$$, 'a re-delivered delete changes nothing');
SELECT results_eq($$SELECT * FROM woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'order.restored',
        jsonb_set((SELECT body FROM o), '{date_modified_gmt}', '"2024-04-03T00:00:00"'))$$,
    $$VALUES (1, 0, 0, 0, 0, 0)$$, 'order.restored is applied as an upsert');
SELECT results_eq($$SELECT * FROM woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'product.deleted', '{"id": 300}')$$,
    $$VALUES (0, 0, 0, 0, 1, 0)$$, 'product.deleted removes a product that order items point to');
SELECT results_eq($$SELECT product_name::text, product_id FROM order_items$$, $$VALUES ('Pin', NULL::uuid)$$,
    'the item keeps its line but loses the product link');
SELECT results_eq($$SELECT * FROM woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'coupon.created',
        '{"id": 801, "code": "hook", "discount_type": "percent", "amount": "5.00"}')$$,
    $$VALUES (1, 0, 0, 0, 0, 0)$$, 'coupon.created');
SELECT results_eq($$SELECT * FROM woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'coupon.deleted', '{"id": 801}')$$,
    $$VALUES (0, 0, 0, 0, 1, 0)$$, 'coupon.deleted');
SELECT results_eq($$SELECT * FROM woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'customer.created',
        '{"id": 90, "email": "hook@example.com", "first_name": "Hook", "last_name": "Man"}')$$,
    $$VALUES (0, 1, 0, 0, 0, 0)$$, 'customer.created adopts the guest with the same e-mail');
SELECT results_eq($$SELECT * FROM woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'customer.deleted', '{"id": 90}')$$,
    $$VALUES (0, 0, 0, 0, 1, 0)$$, 'customer.deleted');
SELECT results_eq(
    $$SELECT c.wc_customer_id, c.email_hash::text FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.wc_order_id = 600$$,
    $$VALUES (NULL::int, woo.hash_email('hook@example.com'))$$, 'the deleted customer''s orders stay, as a guest''s (WooCommerce does the same)');
SELECT throws_ok($$SELECT woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'order.archived', '{"id": 1}')$$,
    '22023', 'woo.apply_webhook: unsupported topic "order.archived"', 'unknown event (22023)');
SELECT throws_ok($$SELECT woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'subscription.created', '{"id": 1}')$$,
    '22023', 'woo.apply_webhook: unsupported topic "subscription.created"', 'unknown resource (22023)');
SELECT throws_ok($$SELECT woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'order.deleted', '{}')$$,
    '22023', 'orders[0]: id is required', 'a delete without id (22023)');
SELECT throws_ok($$SELECT woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'order.created', '[{"id": 1}]')$$,
    '22023', 'woo.apply_webhook: a order.created payload must be a JSON object', 'a webhook body is one object');

-- Signatures (expected values computed with Python's hmac module) -----------------------
SELECT ok(woo.verify_webhook_signature('{"id":1}', 'Y92rNNpYOOODVF6ckLQPdKTj2qvF3ZqNSaUYda1LJBg=', 's3cret'), 'valid signature');
SELECT ok(NOT woo.verify_webhook_signature('{"id":2}', 'Y92rNNpYOOODVF6ckLQPdKTj2qvF3ZqNSaUYda1LJBg=', 's3cret'), 'tampered body');
SELECT ok(NOT woo.verify_webhook_signature('{"id":1}', 'Y92rNNpYOOODVF6ckLQPdKTj2qvF3ZqNSaUYda1LJBg=', 'other'), 'wrong secret');
SELECT is(woo.verify_webhook_signature(NULL, 'x', 'y'), NULL, 'STRICT: NULL in, NULL out');

-- Sync logs -----------------------------------------------------------------------------
RESET ROLE;
CREATE TEMP TABLE s (id uuid);
GRANT ALL ON s TO woo_app;
SET LOCAL ROLE woo_app;
INSERT INTO s SELECT woo.sync_start('a0000000-0000-4000-8000-00000000000a', 'orders') AS id;
SELECT results_eq($$SELECT status::text, sync_type::text, records_synced, retry_count FROM sync_logs WHERE id = (SELECT id FROM s)$$,
    $$VALUES ('running', 'orders', 0, 0)$$, 'sync_start opens a running sync');
SELECT woo.sync_finish((SELECT id FROM s), 40, 'HTTP 503 from the store');
SELECT results_eq($$SELECT status::text, records_synced, retry_count, error_message, next_retry_at - completed_at FROM sync_logs WHERE id = (SELECT id FROM s)$$,
    $$VALUES ('failed', 40, 1, 'HTTP 503 from the store', interval '1 minute')$$, 'a failure: failed, retry 1, next retry in 1 minute');
SELECT woo.sync_finish((SELECT id FROM s), 41, 'again');
SELECT woo.sync_finish((SELECT id FROM s), 42, 'and again');
SELECT results_eq($$SELECT retry_count, next_retry_at - completed_at FROM sync_logs WHERE id = (SELECT id FROM s)$$,
    $$VALUES (3, interval '4 minutes')$$, 'the delay doubles per failure');
UPDATE sync_logs SET retry_count = 20 WHERE id = (SELECT id FROM s);
SELECT woo.sync_finish((SELECT id FROM s), 43, 'still down');
SELECT results_eq($$SELECT next_retry_at - completed_at FROM sync_logs WHERE id = (SELECT id FROM s)$$,
    $$VALUES (interval '6 hours')$$, 'capped at 6 hours');
SELECT woo.sync_finish((SELECT id FROM s), 100);
SELECT results_eq($$SELECT status::text, records_synced, next_retry_at, error_message FROM sync_logs WHERE id = (SELECT id FROM s)$$,
    $$VALUES ('completed', 100, NULL::timestamptz, NULL::text)$$, 'success completes it');
SELECT throws_ok($$SELECT woo.sync_finish((SELECT id FROM s), 1)$$, 'P0002', NULL, 'a completed sync cannot be finished again');
SELECT throws_ok($$SELECT woo.sync_start('a0000000-0000-4000-8000-00000000000a', 'everything')$$, '22023', NULL, 'unknown sync_type');

-- A store can be deleted (its foreign-key checks run as woo_owner).
RESET ROLE;
DELETE FROM sync_logs; DELETE FROM order_items; DELETE FROM orders; DELETE FROM customers; DELETE FROM products; DELETE FROM coupons;
SELECT lives_ok($$DELETE FROM public.stores WHERE id = 'a0000000-0000-4000-8000-00000000000a'$$,
                'a store without data can be deleted (FK checks from woo.ingest_rejects run as woo_owner)');

SELECT * FROM finish();
ROLLBACK;
