-- A seeded random sequence of 1,500 writes across 3 stores (two time zones): upserts with
-- line items, coupons and refunds[], batches, re-deliveries, stale deliveries, status
-- changes, deletes, restores, refund pages, time zone and excluded-status changes, a DBA's
-- direct UPDATEs and DELETEs; afterwards the day-level rollup equals the same numbers
-- computed from the raw tables (written out here, not through woo.expected_sales_daily),
-- and woo.analytics_drift is empty for every store.
BEGIN;
SELECT plan(9);

INSERT INTO public.stores (id, store_url, api_key_hash, settings)
SELECT ('d1000000-0000-4000-8000-00000000000' || s)::uuid, 'https://analytics-random-' || s || '.example', 'x',
       CASE s WHEN 1 THEN '{"timezone": "Europe/Berlin"}' WHEN 2 THEN '{"timezone": "America/Los_Angeles"}' ELSE '{}' END::jsonb
  FROM generate_series(1, 3) s;

CREATE TEMP TABLE ops (n int, store int, kind text);
GRANT ALL ON ops TO woo_app;

DO $$
DECLARE
    statuses text[] := ARRAY['pending', 'processing', 'on-hold', 'completed', 'cancelled', 'refunded', 'failed'];
    clock int := 0;
    s int; store uuid; r float8; wid int; kind text; payload jsonb; items jsonb; refunds jsonb; nitems int;
    last_payload jsonb[] := ARRAY[NULL, NULL, NULL]::jsonb[];
BEGIN
    PERFORM setseed(0.1414);
    SET LOCAL ROLE woo_app;
    FOR n IN 1..1500 LOOP
        clock := clock + 1;
        s := 1 + floor(random() * 3)::int;
        store := ('d1000000-0000-4000-8000-00000000000' || s)::uuid;
        PERFORM set_config('woo.store_id', store::text, true);
        r := random();
        wid := 1 + floor(random() * 120)::int;
        nitems := floor(random() * 3)::int;
        SELECT coalesce(jsonb_agg(jsonb_build_object('product_id', 10 * k + floor(random() * 10)::int, 'name', 'P' || k,
                                                     'quantity', 1 + floor(random() * 3)::int, 'total', to_char(random() * 80, 'FM990.00'))), '[]')
          INTO items FROM generate_series(1, nitems) k;
        SELECT coalesce(jsonb_agg(jsonb_build_object('id', 1000 + k, 'total', to_char(-random() * 20, 'FM990.00'))), '[]')
          INTO refunds FROM generate_series(1, CASE WHEN random() < 0.2 THEN 1 + floor(random() * 2)::int ELSE 0 END) k;
        payload := jsonb_build_object(
            'id', wid, 'customer_id', 1 + floor(random() * 20)::int, 'status', statuses[1 + floor(random() * 7)::int],
            'total', to_char(random() * 300, 'FM990.00'), 'total_tax', to_char(random() * 30, 'FM990.00'),
            'shipping_total', to_char(random() * 10, 'FM990.00'), 'discount_total', to_char(random() * 15, 'FM990.00'),
            'date_created_gmt', to_char(timestamp '2024-01-01' + wid * interval '5 hours 7 minutes', 'YYYY-MM-DD"T"HH24:MI:SS'),
            'date_modified_gmt', to_char(timestamp '2024-06-01' + (clock - CASE WHEN random() < 0.1 THEN 300 ELSE 0 END) * interval '1 minute',
                                         'YYYY-MM-DD"T"HH24:MI:SS'),
            'coupon_lines', CASE WHEN random() < 0.3 THEN '[{"code": "a"}]'::jsonb WHEN random() < 0.2 THEN '[{"code": "a"}, {"code": "b"}]' ELSE '[]' END,
            'line_items', items, 'refunds', refunds);
        IF r < 0.45 THEN
            kind := 'upsert';
            PERFORM woo.upsert_orders(store, payload);
            last_payload[s] := payload;
        ELSIF r < 0.55 AND last_payload[s] IS NOT NULL THEN
            kind := 'redelivery';
            PERFORM woo.upsert_orders(store, last_payload[s]);
        ELSIF r < 0.63 THEN
            kind := 'batch';
            PERFORM woo.upsert_orders(store, jsonb_build_array(payload,
                        jsonb_set(payload, '{id}', to_jsonb(1 + (wid + 7) % 120)),
                        jsonb_set(jsonb_set(payload, '{id}', to_jsonb(1 + (wid + 13) % 120)), '{status}', '"completed"')));
        ELSIF r < 0.71 THEN
            kind := 'status';
            PERFORM woo.upsert_orders(store, jsonb_set(coalesce(last_payload[s], payload), '{status}',
                        to_jsonb(statuses[1 + floor(random() * 7)::int])) || jsonb_build_object('date_modified_gmt',
                        to_char(timestamp '2024-06-01' + clock * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS')));
        ELSIF r < 0.78 THEN
            kind := 'delete';
            PERFORM woo.apply_webhook(store, 'order.deleted', jsonb_build_object('id', wid));
        ELSIF r < 0.82 THEN
            kind := 'restore';
            PERFORM woo.apply_webhook(store, 'order.restored', payload);
        ELSIF r < 0.92 THEN
            kind := 'refund page';
            IF EXISTS (SELECT 1 FROM orders o WHERE o.store_id = store AND o.wc_order_id = wid) THEN
                PERFORM woo.upsert_refunds(store, wid, jsonb_build_array(jsonb_build_object(
                    'id', 1000 + floor(random() * 3)::int, 'amount', to_char(random() * 20, 'FM990.00'),
                    'date_created_gmt', to_char(timestamp '2024-02-01' + floor(random() * 2000) * interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS'))));
            END IF;
        ELSIF r < 0.935 THEN
            kind := 'rules';  -- the store's day rules change: its rollup is rebuilt
            PERFORM woo.configure_store(store, jsonb_build_object(
                'timezone', (ARRAY['Europe/Berlin', 'America/Los_Angeles', 'Asia/Kolkata', 'UTC'])[1 + floor(random() * 4)::int],
                'excluded_statuses', CASE WHEN random() < 0.5 THEN NULL
                                          ELSE to_jsonb(ARRAY['pending', 'failed', 'cancelled', (ARRAY['on-hold', 'refunded'])[1 + floor(random() * 2)::int]]) END));
        ELSIF r < 0.96 THEN
            kind := 'dba update';  -- as the owner: no function involved
            SET LOCAL ROLE NONE;
            UPDATE orders o SET status = statuses[1 + floor(random() * 7)::int], total = o.total + 1,
                                date_created = o.date_created + interval '20 hours'
             WHERE o.store_id = store AND o.wc_order_id BETWEEN wid AND wid + 5;
            UPDATE order_items i SET quantity = i.quantity + 1 WHERE i.store_id = store AND i.order_id IN
                (SELECT o.id FROM orders o WHERE o.store_id = store AND o.wc_order_id BETWEEN wid AND wid + 3);
            UPDATE refunds f SET date_created = f.date_created - interval '3 days' WHERE f.store_id = store AND f.wc_refund_id = 1001;
        ELSE
            kind := 'dba delete';
            SET LOCAL ROLE NONE;
            DELETE FROM refunds f WHERE f.store_id = store AND f.order_id IN (SELECT o.id FROM orders o WHERE o.store_id = store AND o.wc_order_id = wid);
            DELETE FROM order_items i WHERE i.store_id = store AND i.order_id IN (SELECT o.id FROM orders o WHERE o.store_id = store AND o.wc_order_id = wid + 1);
            DELETE FROM orders o WHERE o.store_id = store AND o.wc_order_id = wid + 2;
        END IF;
        SET LOCAL ROLE woo_app;
        INSERT INTO ops VALUES (n, s, kind);
    END LOOP;
END $$;
RESET ROLE;

SELECT is((SELECT count(*)::int FROM ops), 1500, '1,500 operations ran');
SELECT is((SELECT string_agg(DISTINCT kind, ', ' ORDER BY kind) FROM ops),
          'batch, dba delete, dba update, delete, redelivery, refund page, restore, rules, status, upsert', 'all ten kinds of operation occurred');
SELECT ok((SELECT count(*) FROM refunds WHERE store_id::text LIKE 'd1000000%' AND date_exact) > 20
          AND (SELECT count(*) FROM refunds WHERE store_id::text LIKE 'd1000000%' AND NOT date_exact) > 20
          AND (SELECT count(*) FROM orders WHERE store_id::text LIKE 'd1000000%' AND coupon_used IS NOT NULL) > 20
          AND (SELECT count(DISTINCT settings) FROM stores WHERE id::text LIKE 'd1000000%') > 1,
          'refunds of both kinds and coupons are there (the test is not vacuous)');

-- The same numbers from the raw tables, written out.
CREATE TEMP TABLE raw_daily AS
WITH st AS (SELECT s.id, coalesce(s.settings->>'timezone', 'UTC') AS tz, woo.excluded_statuses(s.id) AS ex
              FROM stores s WHERE s.id::text LIKE 'd1000000%'),
o AS (SELECT o.*, (o.date_created AT TIME ZONE st.tz)::date AS day, st.tz FROM orders o JOIN st ON st.id = o.store_id
       WHERE o.status::text <> ALL (st.ex))
SELECT store_id, day, sum(n)::int AS orders, sum(items) AS items_sold, sum(gross) AS gross_sales, sum(disc) AS discounts,
       sum(ref) AS refunds, sum(tax) AS taxes, sum(ship) AS shipping
  FROM (SELECT store_id, day, 1 AS n, 0 AS items, total - coalesce(tax_total, 0) - coalesce(shipping_total, 0) + coalesce(discount_total, 0) AS gross,
               coalesce(discount_total, 0) AS disc, 0 AS ref, coalesce(tax_total, 0) AS tax, coalesce(shipping_total, 0) AS ship FROM o
        UNION ALL SELECT o.store_id, o.day, 0, i.quantity, 0, 0, 0, 0, 0 FROM o JOIN order_items i ON i.order_id = o.id
        UNION ALL SELECT o.store_id, (f.date_created AT TIME ZONE o.tz)::date, 0, 0, 0, 0, f.amount, 0, 0 FROM o JOIN refunds f ON f.order_id = o.id) x
 GROUP BY store_id, day;
SELECT is_empty(
    $$WITH rollup AS (
        SELECT store_id, day, sum(orders)::int AS orders, sum(items_sold) AS items_sold, sum(gross_sales) AS gross_sales,
               sum(discounts) AS discounts, sum(refunds) AS refunds, sum(taxes) AS taxes, sum(shipping) AS shipping
          FROM sales_daily WHERE store_id::text LIKE 'd1000000%' GROUP BY store_id, day)
      (SELECT * FROM rollup WHERE (orders, items_sold, gross_sales, discounts, refunds, taxes, shipping) <> (0, 0, 0, 0, 0, 0, 0)
       EXCEPT SELECT * FROM raw_daily)
      UNION ALL
      (SELECT * FROM raw_daily EXCEPT SELECT * FROM rollup)$$,
    'sales_daily (summed over its slots) equals a GROUP BY over orders, order_items and refunds (store-local days, each store''s statuses, refunds on their own day)');
SELECT is((SELECT sum(gross_sales - discounts - refunds) FROM sales_daily WHERE store_id::text LIKE 'd1000000%'),
          (SELECT sum(o.total - coalesce(o.tax_total, 0) - coalesce(o.shipping_total, 0)) FROM orders o
            WHERE o.store_id::text LIKE 'd1000000%' AND o.status::text <> ALL (woo.excluded_statuses(o.store_id)))
          - (SELECT sum(f.amount) FROM orders o JOIN refunds f ON f.order_id = o.id
            WHERE o.store_id::text LIKE 'd1000000%' AND o.status::text <> ALL (woo.excluded_statuses(o.store_id))),
          'total net sales equal sum(total - tax - shipping) - the refunds of counted orders');
SELECT is((SELECT count(*)::int FROM orders o WHERE o.store_id::text LIKE 'd1000000%'
            AND o.refunded_total <> coalesce((SELECT sum(f.amount) FROM refunds f WHERE f.order_id = o.id), 0)
            AND o.id IN (SELECT order_id FROM refunds)), 0,
          'orders.refunded_total is the sum of the order''s refund rows (rows written by functions)');
CREATE TEMP TABLE drift (s int, n bigint);
DO $$ BEGIN
    FOR s IN 1..3 LOOP
        PERFORM set_config('woo.store_id', 'd1000000-0000-4000-8000-00000000000' || s, true);
        INSERT INTO drift SELECT s, count(*) FROM woo.analytics_drift(('d1000000-0000-4000-8000-00000000000' || s)::uuid);
    END LOOP;
END $$;
SELECT is((SELECT n FROM drift WHERE s = 1), 0::bigint, 'store 1: no drift');
SELECT is((SELECT n FROM drift WHERE s = 2), 0::bigint, 'store 2: no drift');
SELECT is((SELECT n FROM drift WHERE s = 3), 0::bigint, 'store 3: no drift');

SELECT * FROM finish();
ROLLBACK;
