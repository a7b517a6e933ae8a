-- A seeded random sequence of ~3,000 writes across 3 stores (upserts, batches,
-- re-deliveries, stale deliveries, deletes, restores, registrations, lenient
-- batches with bad records); afterwards no store drifts and the metrics equal
-- a plain GROUP BY over the orders.
BEGIN;
SELECT plan(10);

INSERT INTO public.stores (id, store_url, api_key_hash)
SELECT ('d0000000-0000-4000-8000-00000000000' || s)::uuid, 'https://random-' || s || '.example', 'x' FROM generate_series(1, 3) s;

CREATE TEMP TABLE ops (n int, store int, kind text, result woo.upsert_result);
GRANT ALL ON ops TO woo_app;
SET LOCAL ROLE woo_app;

DO $$
DECLARE
    statuses text[] := ARRAY['pending', 'processing', 'on-hold', 'completed', 'cancelled', 'refunded', 'failed', 'checkout-draft'];
    clock int := 0;
    s int; store uuid; r float8; id int; customer int; kind text; payload jsonb; res woo.upsert_result;
    last_payload jsonb[] := ARRAY[NULL, NULL, NULL]::jsonb[];
BEGIN
    PERFORM setseed(0.4242);
    FOR n IN 1..3000 LOOP
        clock := clock + 1;
        s := 1 + floor(random() * 3)::int;
        store := ('d0000000-0000-4000-8000-00000000000' || s)::uuid;
        PERFORM set_config('woo.store_id', store::text, true);
        r := random();
        id := 1 + floor(random() * 200)::int;
        customer := CASE WHEN random() < 0.2 THEN 0 ELSE 1 + floor(random() * 30)::int END;
        payload := jsonb_build_object(
            'id', id, 'customer_id', customer, 'status', statuses[1 + floor(random() * 8)::int],
            'total', to_char(random() * 500, 'FM990.00'),
            'date_created_gmt', to_char(timestamp '2024-01-01' + id * interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS'),
            'date_modified_gmt', to_char(timestamp '2024-06-01' + (clock - CASE WHEN random() < 0.1 THEN 500 ELSE 0 END) * interval '1 second',
                                         'YYYY-MM-DD"T"HH24:MI:SS'),
            'billing', jsonb_build_object('email', format('buyer%s@example.com', CASE WHEN customer = 0 THEN floor(random() * 8)::int ELSE customer END)),
            'refunds', CASE WHEN random() < 0.1 THEN '[{"id": 1, "total": "-3.00"}]'::jsonb ELSE '[]'::jsonb END);
        IF r < 0.55 THEN
            kind := 'upsert';
            res := woo.upsert_orders(store, payload);
            last_payload[s] := payload;
        ELSIF r < 0.65 AND last_payload[s] IS NOT NULL THEN
            kind := 'redelivery';
            res := woo.upsert_orders(store, last_payload[s]);
        ELSIF r < 0.75 THEN
            kind := 'batch';
            res := woo.upsert_orders(store, jsonb_build_array(payload,
                       jsonb_set(payload, '{id}', to_jsonb(1 + (id + 7) % 200)),
                       jsonb_set(jsonb_set(payload, '{id}', to_jsonb(1 + (id + 13) % 200)), '{status}', '"completed"')));
        ELSIF r < 0.85 THEN
            kind := 'delete';
            res := woo.apply_webhook(store, 'order.deleted', jsonb_build_object('id', id));
        ELSIF r < 0.90 THEN
            kind := 'restore';
            res := woo.apply_webhook(store, 'order.restored', payload);
        ELSIF r < 0.95 THEN
            kind := 'register';
            res := woo.upsert_customers(store, jsonb_build_object('id', 100 + floor(random() * 8)::int,
                       'email', format('buyer%s@example.com', floor(random() * 8)::int)));
        ELSE
            kind := 'lenient';
            res := woo.upsert_orders(store, jsonb_build_array(payload, jsonb_set(payload, '{total}', '"1,00"')), false);
        END IF;
        INSERT INTO ops VALUES (n, s, kind, res);
    END LOOP;
END $$;

SELECT is((SELECT count(*)::int FROM ops), 3000, '3,000 operations ran');
SELECT ok((SELECT count(DISTINCT kind) FROM ops) = 7, 'all seven kinds of operation occurred');
SELECT ok((SELECT sum((result).skipped_stale) FROM ops) > 0 AND (SELECT sum((result).unchanged) FROM ops) > 0
          AND (SELECT sum((result).deleted) FROM ops) > 0 AND (SELECT sum((result).rejected) FROM ops) > 0,
          'stale, unchanged, deleted and rejected outcomes all happened');

RESET ROLE;
CREATE TEMP TABLE drift AS
SELECT s, (SELECT count(*) FROM woo.customer_metrics_drift(('d0000000-0000-4000-8000-00000000000' || s)::uuid)) AS n
  FROM generate_series(1, 3) s WHERE false;
DO $$ BEGIN
    FOR s IN 1..3 LOOP
        PERFORM set_config('woo.store_id', 'd0000000-0000-4000-8000-00000000000' || s, true);
        INSERT INTO drift SELECT s, count(*) FROM woo.customer_metrics_drift(('d0000000-0000-4000-8000-00000000000' || s)::uuid);
    END LOOP;
END $$;
SELECT is((SELECT n FROM drift WHERE s = 1), 0::bigint, 'store 1: no drift');
SELECT is((SELECT n FROM drift WHERE s = 2), 0::bigint, 'store 2: no drift');
SELECT is((SELECT n FROM drift WHERE s = 3), 0::bigint, 'store 3: no drift');
SELECT results_eq(
    $$SELECT c.id, c.total_spent, c.order_count, c.first_order_date, c.last_order_date FROM customers c
       WHERE c.store_id::text LIKE 'd0000000%' ORDER BY c.id$$,
    $$SELECT c.id, coalesce(sum(o.total - o.refunded_total), 0)::numeric(12,2), count(o.id)::int, min(o.date_created), max(o.date_created)
        FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
             AND o.status NOT IN ('pending', 'failed', 'cancelled', 'trash', 'checkout-draft')
       WHERE c.store_id::text LIKE 'd0000000%' GROUP BY c.id ORDER BY c.id$$,
    'every customer''s metrics equal a GROUP BY over the orders');
SELECT ok((SELECT count(*) FROM customers WHERE store_id::text LIKE 'd0000000%' AND order_count > 0) > 30,
          'many customers have counted orders (the test is not vacuous)');
SELECT is((SELECT count(*)::int FROM (SELECT store_id, wc_order_id FROM orders GROUP BY 1, 2 HAVING count(*) > 1) d), 0,
          'no duplicate orders');
SELECT is((SELECT count(*)::int FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.store_id <> o.store_id), 0,
          'no order points to another store''s customer');

SELECT * FROM finish();
ROLLBACK;
