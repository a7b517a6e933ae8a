-- The rollup's C trigger and woo.upsert_orders' batch (extension 1.7, issue 14): a write
-- of woo.upsert_orders (orders, line items, refunds) writes public.sales_daily with one
-- statement; the batch is discarded with a rolled-back (sub)transaction (a lenient
-- retry, ROLLBACK TO SAVEPOINT, a caught error); a store whose day rules change during
-- a write is rebuilt right; the flush is harmless to call, also from a trigger on
-- sales_daily; the trigger refuses events and tables it was not written for; a NULL among
-- the excluded statuses means what it means in SQL. Every case ends with the rollup equal
-- to the raw tables.
BEGIN;
SELECT plan(24);

INSERT INTO public.stores (id, store_url, api_key_hash, settings) VALUES
    ('f1000000-0000-4000-8000-000000000001', 'https://batch-one.example', 'x', '{"timezone": "Europe/Berlin"}');

-- Counts the statements that write public.sales_daily (INSERT ... ON CONFLICT fires the
-- INSERT trigger once per statement).
CREATE TABLE pg_temp.rollup_writes (n int);
GRANT ALL ON pg_temp.rollup_writes TO PUBLIC;
CREATE FUNCTION pg_temp.count_rollup_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pg_temp.rollup_writes VALUES (1);
    RETURN NULL;
END $$;
CREATE TRIGGER count_writes AFTER INSERT ON public.sales_daily FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.count_rollup_write();
CREATE FUNCTION pg_temp.writes() RETURNS int LANGUAGE sql AS $$
    WITH d AS (DELETE FROM pg_temp.rollup_writes RETURNING 1) SELECT count(*)::int FROM d $$;
-- n orders from wc id `first`, three line items each, every 20th with a refund, on two Berlin days.
CREATE FUNCTION pg_temp.orders(first int, n int, status text DEFAULT 'completed') RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_agg(jsonb_build_object(
        'id', k, 'status', status, 'total', '30.00', 'total_tax', '3.00', 'shipping_total', '2.00',
        'date_created_gmt', CASE WHEN k % 2 = 0 THEN '2024-05-01T21:30:00' ELSE '2024-05-01T22:30:00' END,
        'line_items', jsonb_build_array(
            jsonb_build_object('product_id', 1, 'name', 'A', 'quantity', 1, 'total', '10.00'),
            jsonb_build_object('product_id', 2, 'name', 'B', 'quantity', 2, 'total', '10.00'),
            jsonb_build_object('product_id', 3, 'name', 'C', 'quantity', 3, 'total', '5.00')),
        'refunds', CASE WHEN k % 20 = 0 THEN '[{"id": 1, "total": "-4.00"}]'::jsonb ELSE '[]'::jsonb END) ORDER BY k)
      FROM generate_series(first, first + n - 1) k $$;
CREATE FUNCTION pg_temp.drift() RETURNS int LANGUAGE sql AS $$
    SELECT count(*)::int FROM woo.analytics_drift('f1000000-0000-4000-8000-000000000001') $$;
GRANT EXECUTE ON FUNCTION pg_temp.writes(), pg_temp.orders(int, int, text), pg_temp.drift() TO PUBLIC;

SET LOCAL ROLE woo_app;
SELECT woo.set_store('f1000000-0000-4000-8000-000000000001');

-- 1. One statement per write ---------------------------------------------------------------
SELECT results_eq($$SELECT inserted FROM woo.upsert_orders('f1000000-0000-4000-8000-000000000001', pg_temp.orders(1, 100))$$,
                  $$VALUES (100)$$, '100 new orders with 300 line items and 5 refunds');
SELECT is(pg_temp.writes(), 1, 'their orders, line items and refunds reach sales_daily in one statement (1.6: three)');
SELECT is(pg_temp.drift(), 0, 'the rollup equals the raw tables');
SELECT results_eq($$SELECT sum(orders)::int, sum(items_sold), sum(refunds) FROM sales_daily$$,
                  $$VALUES (100, 600::numeric, 20.00::numeric)$$, 'with every order, item and refund');
SELECT results_eq($$SELECT updated FROM woo.upsert_orders('f1000000-0000-4000-8000-000000000001', pg_temp.orders(1, 50, 'cancelled'))$$,
                  $$VALUES (50)$$, '50 of them cancelled: their items and refunds move out with them');
SELECT is(pg_temp.writes(), 1, 'the update and its replaced line items and refunds: one statement');
SELECT is(pg_temp.drift(), 0, 'the rollup equals the raw tables after the update');
SELECT is((SELECT count(*)::int FROM woo.upsert_orders('f1000000-0000-4000-8000-000000000001', pg_temp.orders(1, 50, 'cancelled'))
            WHERE unchanged = 50) + pg_temp.writes(), 1, 'an unchanged re-delivery writes no rollup row');

-- 2. A rolled-back write takes its deltas with it --------------------------------------------
SAVEPOINT before_write;
SELECT woo.upsert_orders('f1000000-0000-4000-8000-000000000001', pg_temp.orders(201, 10));
ROLLBACK TO SAVEPOINT before_write;
SELECT pg_temp.writes();  -- (rolled back with the savepoint: 0 by now)
SELECT results_eq($$SELECT inserted FROM woo.upsert_orders('f1000000-0000-4000-8000-000000000001', pg_temp.orders(301, 10))$$,
                  $$VALUES (10)$$, 'after ROLLBACK TO SAVEPOINT of a write, the next write');
SELECT is(pg_temp.writes(), 1, 'opens a batch of its own (one statement)');
SELECT is(pg_temp.drift(), 0, 'and nothing of the rolled-back write is counted');

-- A write that fails after the orders' trigger ran (a line item refused), caught by the caller.
RESET ROLE;
CREATE FUNCTION pg_temp.refuse_item() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_items WHERE product_name = 'refuse me') THEN
        RAISE EXCEPTION 'line item refused' USING ERRCODE = '22000';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER zz_refuse_item AFTER INSERT ON public.order_items REFERENCING NEW TABLE AS new_items
    FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.refuse_item();
SET LOCAL ROLE woo_app;
SELECT is(pg_temp.writes(), 0, '(nothing written since)');
DO $$ BEGIN
    PERFORM woo.upsert_orders('f1000000-0000-4000-8000-000000000001',
        pg_temp.orders(401, 5) || '[{"id": 406, "status": "completed", "total": "9.00", "date_created_gmt": "2024-05-02T10:00:00",
                                    "line_items": [{"product_id": 9, "name": "refuse me", "total": "9.00"}]}]'::jsonb);
EXCEPTION WHEN data_exception THEN NULL;
END $$;
SELECT is((SELECT count(*)::int FROM orders WHERE wc_order_id BETWEEN 401 AND 406), 0, 'a strict write refused by a line item trigger, caught: nothing written');
SELECT is(pg_temp.drift(), 0, 'and nothing counted');
-- Lenient: the chunk is rolled back and written again record by record.
SELECT results_eq($$SELECT inserted, rejected FROM woo.upsert_orders('f1000000-0000-4000-8000-000000000001',
        pg_temp.orders(501, 5) || '[{"id": 506, "status": "completed", "total": "9.00", "date_created_gmt": "2024-05-02T10:00:00",
                                    "line_items": [{"product_id": 9, "name": "refuse me", "total": "9.00"}]}]'::jsonb, false)$$,
                  $$VALUES (5, 1)$$, 'lenient: the chunk fails after the rollup trigger ran, is retried record by record');
SELECT is(pg_temp.drift(), 0, 'the rollup counts the five written orders once, the rejected one not at all');
RESET ROLE;
DROP TRIGGER zz_refuse_item ON public.order_items;

-- 3. The store's day rules change during a write (a trigger of the application's) ---------------
CREATE FUNCTION pg_temp.move_to_tokyo() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE public.stores SET settings = settings || '{"timezone": "Asia/Tokyo"}'
     WHERE id = 'f1000000-0000-4000-8000-000000000001' AND settings->>'timezone' <> 'Asia/Tokyo';
    RETURN NULL;
END $$;
CREATE TRIGGER zz_move_to_tokyo AFTER INSERT ON public.orders FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.move_to_tokyo();
SELECT set_config('woo.store_id', 'f1000000-0000-4000-8000-000000000001', true);
SELECT woo.upsert_orders('f1000000-0000-4000-8000-000000000001', pg_temp.orders(601, 20));
DROP TRIGGER zz_move_to_tokyo ON public.orders;
SELECT is(pg_temp.drift(), 0, 'the time zone changed by a trigger during the write: the rebuild wrote the batch first, the rollup is right');

-- 4. The flush outside a write; the trigger outside its events -----------------------------------------
SELECT pg_temp.writes();
SET LOCAL ROLE woo_app;
SELECT lives_ok($$SELECT woo._sales_daily_flush()$$, 'woo_app may call the flush outside a write');
SELECT is(pg_temp.writes(), 0, 'it writes nothing then');
RESET ROLE;
CREATE TRIGGER zz_wrong AFTER INSERT ON public.refunds FOR EACH ROW EXECUTE FUNCTION woo._sales_daily_trigger('refunds');
SELECT throws_ok($$INSERT INTO public.refunds (store_id, order_id, wc_refund_id, amount, date_created)
                   SELECT store_id, id, 77, 1.00, now() FROM public.orders WHERE wc_order_id = 301$$,
                 '39P01', NULL, 'the trigger refuses a per-row INSERT (it reads transition tables)');
DROP TRIGGER zz_wrong ON public.refunds;
-- On a table it does not name (it writes as its owner: a copy of refunds would add rows to a store's rollup).
CREATE TABLE public.refunds_copy (LIKE public.refunds);
CREATE TRIGGER zz_copy AFTER INSERT ON public.refunds_copy REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_trigger('refunds');
SELECT throws_ok($$INSERT INTO public.refunds_copy (id, store_id, order_id, wc_refund_id, amount, date_created, date_exact)
                   SELECT gen_random_uuid(), store_id, id, 78, 1000.00, now(), true FROM public.orders WHERE wc_order_id = 301$$,
                 '39P01', NULL, 'the trigger refuses a table other than the one its argument names');
DROP TABLE public.refunds_copy;

-- 5. Review findings -----------------------------------------------------------------------------
-- A NULL among the excluded statuses: as in SQL (status <> ALL (list) is NULL), no order counts,
-- in the C trigger as in the rebuild and woo.expected_sales_daily.
UPDATE public.stores SET settings = settings || '{"excluded_statuses": ["pending", null]}'
 WHERE id = 'f1000000-0000-4000-8000-000000000001';
SELECT woo.upsert_orders('f1000000-0000-4000-8000-000000000001', pg_temp.orders(701, 10));
SELECT is(pg_temp.drift(), 0, 'a NULL in excluded_statuses: the trigger agrees with the raw tables (nothing counts)');
UPDATE public.stores SET settings = settings - 'excluded_statuses' WHERE id = 'f1000000-0000-4000-8000-000000000001';
-- A trigger on sales_daily that calls the flush while the batch is written (and writes orders).
CREATE FUNCTION pg_temp.flush_again() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM woo._sales_daily_flush();
    UPDATE public.orders SET status = 'on-hold' WHERE wc_order_id = 301 AND status <> 'on-hold';
    RETURN NULL;
END $$;
CREATE TRIGGER zz_flush_again AFTER INSERT ON public.sales_daily FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.flush_again();
SELECT lives_ok($$SELECT woo.upsert_orders('f1000000-0000-4000-8000-000000000001', pg_temp.orders(801, 10))$$,
                'a flush called again from a trigger on sales_daily while the batch is written: no second write of it');
DROP TRIGGER zz_flush_again ON public.sales_daily;
SELECT is(pg_temp.drift(), 0, 'and the order that trigger moved is counted once, on its new status');

SELECT * FROM finish();
ROLLBACK;
