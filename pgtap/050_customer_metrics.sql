-- Customer lifetime metrics: kept right by every write through the extension,
-- repaired by woo.recompute_customer_metrics, audited by woo.customer_metrics_drift.
BEGIN;
SELECT plan(34);

INSERT INTO public.stores (id, store_url, api_key_hash) VALUES
    ('a0000000-0000-4000-8000-00000000000a', 'https://shop-a.example', 'x');
SET LOCAL woo.store_id = 'a0000000-0000-4000-8000-00000000000a';

-- Helpers (created before switching role: woo_app may not create temporary objects).
-- order(id, customer, status, total, day, modified-minute) as a REST object
CREATE FUNCTION pg_temp.o(id int, customer int, status text, total text, day int, m int DEFAULT 0,
                          email text DEFAULT NULL, refund text DEFAULT NULL) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('id', id, 'customer_id', customer, 'status', status, 'total', total,
        'date_created_gmt', format('2024-05-%sT10:00:00', lpad(day::text, 2, '0')),
        'date_modified_gmt', format('2024-06-01T10:%s:00', lpad(m::text, 2, '0')),
        'billing', jsonb_build_object('email', coalesce(email, format('c%s@example.com', customer))),
        'refunds', CASE WHEN refund IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object('id', 1, 'total', refund)) END)
$$;
CREATE FUNCTION pg_temp.m(wc int) RETURNS TABLE (total_spent numeric, order_count int, first_order_date timestamptz, last_order_date timestamptz)
LANGUAGE sql AS $$ SELECT total_spent, order_count, first_order_date, last_order_date FROM customers WHERE wc_customer_id = wc $$;
CREATE FUNCTION pg_temp.drift() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM woo.customer_metrics_drift('a0000000-0000-4000-8000-00000000000a') $$;
SET LOCAL ROLE woo_app;

SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', jsonb_build_array(
    pg_temp.o(1, 7, 'completed', '100.00', 3), pg_temp.o(2, 7, 'processing', '50.00', 9), pg_temp.o(3, 7, 'pending', '30.00', 12)));
SELECT results_eq('SELECT * FROM pg_temp.m(7)',
    $$VALUES (150.00, 2, '2024-05-03 10:00:00+00'::timestamptz, '2024-05-09 10:00:00+00'::timestamptz)$$,
    'two counted orders; pending is excluded');
SELECT is(pg_temp.drift(), 0::bigint, 'no drift after the first upsert');

SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', pg_temp.o(1, 7, 'completed', '100.00', 3, 1, NULL, '-20.00'));
SELECT is((SELECT total_spent FROM pg_temp.m(7)), 130.00, 'a refund is netted out');
SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', pg_temp.o(2, 7, 'cancelled', '50.00', 9, 2));
SELECT results_eq('SELECT total_spent, order_count, last_order_date FROM pg_temp.m(7)',
    $$VALUES (80.00, 1, '2024-05-03 10:00:00+00'::timestamptz)$$, 'into an excluded status: no longer counted');
SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', pg_temp.o(3, 7, 'completed', '30.00', 12, 3));
SELECT results_eq('SELECT total_spent, order_count, last_order_date FROM pg_temp.m(7)',
    $$VALUES (110.00, 2, '2024-05-12 10:00:00+00'::timestamptz)$$, 'out of an excluded status: counted');
SELECT is(pg_temp.drift(), 0::bigint, 'no drift after status changes and a refund');

-- An order moving from one customer to another: both are recomputed.
SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', pg_temp.o(3, 8, 'completed', '30.00', 12, 4));
SELECT results_eq('SELECT total_spent, order_count FROM pg_temp.m(7)', $$VALUES (80.00, 1)$$, 'the old customer lost it');
SELECT results_eq('SELECT total_spent, order_count FROM pg_temp.m(8)', $$VALUES (30.00, 1)$$, 'the new customer has it');

-- Stale and unchanged deliveries change nothing.
SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', pg_temp.o(3, 7, 'completed', '999.00', 12, 0));
SELECT results_eq('SELECT total_spent, order_count FROM pg_temp.m(8)', $$VALUES (30.00, 1)$$, 'a stale delivery does not move metrics');

-- Webhook delete and restore.
SELECT woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'order.deleted', '{"id": 3}');
SELECT results_eq('SELECT total_spent, order_count, first_order_date FROM pg_temp.m(8)',
    $$VALUES (0.00, 0, NULL::timestamptz)$$, 'deleted: a customer with no counted order has 0, 0, NULL, NULL');
SELECT woo.apply_webhook('a0000000-0000-4000-8000-00000000000a', 'order.restored', pg_temp.o(3, 8, 'completed', '30.00', 12, 5));
SELECT results_eq('SELECT total_spent, order_count FROM pg_temp.m(8)', $$VALUES (30.00, 1)$$, 'restored: counted again');

-- Guests, and a guest who registers.
SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', jsonb_build_array(
    pg_temp.o(10, 0, 'completed', '40.00', 1, 0, 'Guest@Example.com'), pg_temp.o(11, 0, 'completed', '60.00', 2, 0, 'guest@example.com')));
SELECT results_eq($$SELECT total_spent, order_count FROM customers WHERE wc_customer_id IS NULL AND email_hash = woo.hash_email('guest@example.com')$$,
    $$VALUES (100.00, 2)$$, 'a guest is a customer: two orders by e-mail');
SELECT woo.upsert_customers('a0000000-0000-4000-8000-00000000000a', '{"id": 9, "email": "guest@example.com", "first_name": "G"}');
SELECT woo.upsert_orders('a0000000-0000-4000-8000-00000000000a', pg_temp.o(12, 9, 'completed', '5.00', 20, 0, 'guest@example.com'));
SELECT results_eq('SELECT total_spent, order_count, first_order_date FROM pg_temp.m(9)',
    $$VALUES (105.00, 3, '2024-05-01 10:00:00+00'::timestamptz)$$, 'after registering: guest orders and new orders together');
SELECT is(pg_temp.drift(), 0::bigint, 'no drift after deletes, restores and a registration');

-- A store's own excluded statuses.
RESET ROLE;
UPDATE public.stores SET settings = '{"excluded_statuses": ["pending", "failed", "cancelled", "trash", "checkout-draft", "completed"]}'
 WHERE id = 'a0000000-0000-4000-8000-00000000000a';
SET LOCAL ROLE woo_app;
SELECT is(woo.excluded_statuses('a0000000-0000-4000-8000-00000000000a'),
          ARRAY['pending', 'failed', 'cancelled', 'trash', 'checkout-draft', 'completed'], 'settings.excluded_statuses is used');
SELECT ok(pg_temp.drift() > 0, 'changing the rule shows as drift');
SELECT is(woo.recompute_customer_metrics('a0000000-0000-4000-8000-00000000000a'), 3, 'a full recompute changes the 3 customers concerned (7, 8, and 9 who was a guest)');
SELECT results_eq('SELECT total_spent, order_count FROM pg_temp.m(7)', $$VALUES (0.00, 0)$$, 'completed orders no longer count');
SELECT is(woo.recompute_customer_metrics('a0000000-0000-4000-8000-00000000000a'), 0, 'a second recompute changes nothing');
RESET ROLE;
UPDATE public.stores SET settings = '{"excluded_statuses": "not an array"}' WHERE id = 'a0000000-0000-4000-8000-00000000000a';
SET LOCAL ROLE woo_app;
SELECT is(woo.excluded_statuses('a0000000-0000-4000-8000-00000000000a'),
          ARRAY['pending', 'failed', 'cancelled', 'trash', 'checkout-draft'], 'a malformed setting falls back to the defaults');
SELECT is(woo.recompute_customer_metrics('a0000000-0000-4000-8000-00000000000a'), 3, 'back to the default rule');

-- A write that bypasses the extension is found by drift and repaired.
UPDATE orders SET total = total + 1 WHERE wc_order_id = 1;
UPDATE customers SET order_count = 42 WHERE wc_customer_id = 8;
SELECT results_eq(
    $$SELECT c.wc_customer_id, d.column_name, d.stored, d.expected FROM woo.customer_metrics_drift('a0000000-0000-4000-8000-00000000000a') d
        JOIN customers c ON c.id = d.customer_id ORDER BY 1, 2$$,
    $$VALUES (7, 'total_spent', '80.00', '81.00'), (8, 'order_count', '42', '1')$$,
    'drift lists each differing value: stored and expected');
SELECT is(woo.recompute_customer_metrics('a0000000-0000-4000-8000-00000000000a',
            ARRAY[(SELECT id FROM customers WHERE wc_customer_id = 8)]), 1, 'recompute of one customer changes just that one');
SELECT is(pg_temp.drift(), 1::bigint, 'the other one still drifts');
SELECT is(woo.recompute_customer_metrics('a0000000-0000-4000-8000-00000000000a'), 1, 'the full recompute repairs it');
SELECT is(pg_temp.drift(), 0::bigint, 'drift empty');
SELECT is(woo.recompute_customer_metrics('a0000000-0000-4000-8000-00000000000a', ARRAY[]::uuid[]), 0, 'an empty list changes nothing');

-- Metrics equal a plain GROUP BY over the orders.
SELECT results_eq(
    $$SELECT c.id, c.total_spent, c.order_count, c.first_order_date, c.last_order_date FROM customers c ORDER BY c.id$$,
    $$SELECT c.id, coalesce(sum(o.total - o.refunded_total), 0)::numeric(12,2), count(o.id)::int, min(o.date_created), max(o.date_created)
        FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
             AND o.status NOT IN ('pending', 'failed', 'cancelled', 'trash', 'checkout-draft')
       GROUP BY c.id ORDER BY c.id$$,
    'metrics equal a GROUP BY over the orders');

-- Refusals.
SELECT throws_ok($$SELECT woo.recompute_customer_metrics('b0000000-0000-4000-8000-00000000000b')$$, '42501', NULL,
                 'another store: 42501');
SELECT throws_ok($$SELECT woo.recompute_customer_metrics(NULL)$$, '22004', NULL, 'NULL store: 22004');
RESET ROLE;
SET LOCAL ROLE woo_ai;
SELECT throws_ok($$SELECT woo.recompute_customer_metrics('a0000000-0000-4000-8000-00000000000a')$$, '42501', NULL,
                 'woo_ai cannot recompute');
SELECT throws_ok($$SELECT * FROM woo.customer_metrics_drift('a0000000-0000-4000-8000-00000000000a')$$, '42501', NULL,
                 'nor read drift');
RESET ROLE;
SELECT ok((SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_orders_store_customer') = 1,
          'orders are indexed by (store_id, customer_id)');
SELECT is((SELECT count(*)::int FROM customers WHERE order_count < 0 OR total_spent IS NULL), 0, 'no customer has impossible metrics');

SELECT * FROM finish();
ROLLBACK;
