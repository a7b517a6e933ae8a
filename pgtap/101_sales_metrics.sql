-- Canonical sales metrics (issue 14): the store-local day (Europe/Berlin here), excluded
-- statuses, refunds on the refund's own day, status changes and re-deliveries moving
-- contributions, a DBA's direct UPDATE, a time zone change rebuilding the rollups,
-- drift and repair, the read-only rollup, new and returning customers, and the views
-- readable through woo.ai_query.
BEGIN;
SELECT plan(30);

INSERT INTO public.stores (id, store_url, api_key_hash, settings) VALUES
    ('f0000000-0000-4000-8000-000000000001', 'https://metrics-berlin.example', 'x', '{"timezone": "Europe/Berlin"}'),
    ('f0000000-0000-4000-8000-000000000002', 'https://metrics-other.example', 'x', '{}');
-- EXPLAIN of a query, as text.
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    line text;
    out text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP out := out || line || E'\n'; END LOOP;
    RETURN out;
END $f$;
SET LOCAL ROLE woo_app;
SELECT woo.set_store('f0000000-0000-4000-8000-000000000001');
SELECT woo.upsert_orders('f0000000-0000-4000-8000-000000000001', $$[
  {"id": 1, "status": "completed", "total": "119.00", "total_tax": "19.00", "shipping_total": "10.00", "discount_total": "5.00",
   "date_created_gmt": "2024-03-10T23:30:00", "date_modified_gmt": "2024-03-10T23:30:00", "customer_id": 7,
   "coupon_lines": [{"code": "save5"}],
   "line_items": [{"product_id": 101, "name": "Mug", "quantity": 2, "subtotal": "95.00", "total": "90.00"}]},
  {"id": 2, "status": "processing", "total": "50.00", "total_tax": "0.00", "shipping_total": "0.00",
   "date_created_gmt": "2024-03-10T12:00:00", "date_modified_gmt": "2024-03-10T12:00:00", "customer_id": 8,
   "line_items": [{"product_id": 102, "name": "Tee", "quantity": 1, "subtotal": "50.00", "total": "50.00"}]},
  {"id": 3, "status": "cancelled", "total": "1000.00", "date_created_gmt": "2024-03-10T12:00:00",
   "line_items": [{"product_id": 101, "name": "Mug", "quantity": 40, "total": "1000.00"}]}]$$);
SELECT woo.upsert_refunds('f0000000-0000-4000-8000-000000000001', 2,
    $${"id": 9, "date_created_gmt": "2024-03-15T10:00:00", "amount": "20.00", "reason": "Too small"}$$);
SELECT set_config('woo.store_id', 'f0000000-0000-4000-8000-000000000002', true);
SELECT woo.upsert_orders('f0000000-0000-4000-8000-000000000002',
    $${"id": 1, "status": "completed", "total": "7.00", "date_created_gmt": "2024-03-10T12:00:00"}$$);
SELECT woo.set_store('f0000000-0000-4000-8000-000000000001');

SELECT results_eq(
    $$SELECT day, orders, items_sold, gross_sales, discounts, refunds, net_sales, taxes, shipping, total_sales, average_order_value
        FROM metrics_daily ORDER BY day$$,
    $$VALUES ('2024-03-10'::date, 1, 1::numeric, 50.00::numeric, 0.00::numeric, 0.00::numeric, 50.00::numeric, 0.00::numeric, 0.00::numeric, 50.00::numeric, 50.00::numeric),
             ('2024-03-11', 1, 2, 95.00, 5.00, 0.00, 90.00, 19.00, 10.00, 119.00, 90.00),
             ('2024-03-15', 0, 0, 0.00, 0.00, 20.00, -20.00, 0.00, 0.00, -20.00, NULL)$$,
    'metrics_daily: Berlin days (23:30 UTC is the next day), cancelled excluded, net = total - tax - shipping, refund on its own day');
SELECT results_eq($$SELECT day, product_name, units, net_revenue, orders FROM metrics_product_daily ORDER BY day, product_name$$,
                  $$VALUES ('2024-03-10'::date, 'Tee'::varchar, 1::numeric, 50.00::numeric, 1), ('2024-03-11', 'Mug', 2, 90.00, 1)$$,
                  'metrics_product_daily: units, net revenue (line totals) and orders per product and local day');
SELECT results_eq($$SELECT day, coupon_code, orders, discount FROM metrics_coupon_daily$$,
                  $$VALUES ('2024-03-11'::date, 'save5', 1, 5.00::numeric)$$, 'metrics_coupon_daily: orders and discount per code and day');
SELECT is((SELECT count(*)::int FROM woo.analytics_drift('f0000000-0000-4000-8000-000000000001')), 0, 'no drift after the writes');
-- The revenue question reads the rollup alone: the customer columns' joins are not planned.
RESET ROLE;
SELECT doesnt_imatch(pg_temp.plan_of($$SELECT day, net_sales FROM metrics_daily WHERE day BETWEEN '2023-01-01' AND '2024-12-31' ORDER BY day$$),
              ' on (orders|customers)', 'a daily revenue query over metrics_daily reads sales_daily only (no scan of orders or customers)');
SET LOCAL ROLE woo_app;
SELECT results_eq($$SELECT day, new_customers, returning_customers FROM metrics_daily ORDER BY day$$,
                  $$VALUES ('2024-03-10'::date, 1, 0), ('2024-03-11', 1, 0), ('2024-03-15', 0, 0)$$,
                  'each customer is new on the local day of their first counted order');

-- A status change to an excluded status takes the order, its items and its refund out.
SELECT woo.upsert_orders('f0000000-0000-4000-8000-000000000001', $${"id": 2, "status": "cancelled", "total": "50.00",
   "total_tax": "0.00", "shipping_total": "0.00", "date_created_gmt": "2024-03-10T12:00:00", "date_modified_gmt": "2024-03-16T12:00:00",
   "customer_id": 8, "line_items": [{"product_id": 102, "name": "Tee", "quantity": 1, "subtotal": "50.00", "total": "50.00"}]}$$);
SELECT results_eq($$SELECT day, orders, items_sold, refunds, net_sales FROM metrics_daily WHERE day IN ('2024-03-10', '2024-03-15') ORDER BY day$$,
                  $$VALUES ('2024-03-10'::date, 0, 0::numeric, 0.00::numeric, 0.00::numeric), ('2024-03-15', 0, 0, 0.00, 0.00)$$,
                  'cancelling order 2 removes its sale, its item and its refund (its refunds[] is empty now: the row is gone too)');
SELECT is((SELECT count(*)::int FROM woo.analytics_drift('f0000000-0000-4000-8000-000000000001')), 0, 'no drift after the status change');
-- Back to processing, with its refund from a page again.
SELECT woo.upsert_orders('f0000000-0000-4000-8000-000000000001', $${"id": 2, "status": "processing", "total": "50.00",
   "total_tax": "0.00", "shipping_total": "0.00", "date_created_gmt": "2024-03-10T12:00:00", "date_modified_gmt": "2024-03-17T12:00:00",
   "customer_id": 8, "refunds": [{"id": 9, "total": "-20.00"}],
   "line_items": [{"product_id": 102, "name": "Tee", "quantity": 1, "subtotal": "50.00", "total": "50.00"}]}$$);
SELECT is((SELECT refunds FROM metrics_daily WHERE day = '2024-03-17'), 20.00::numeric,
          'a refund known only from refunds[] counts on the order''s date_modified day');
SELECT woo.upsert_refunds('f0000000-0000-4000-8000-000000000001', 2,
    $$[{"id": 9, "date_created_gmt": "2024-03-15T10:00:00", "amount": "20.00", "reason": "Too small"}]$$);
SELECT results_eq($$SELECT day, refunds FROM metrics_daily WHERE refunds <> 0$$, $$VALUES ('2024-03-15'::date, 20.00::numeric)$$,
                  'the page''s exact date moves the refund to its own day');
-- Re-delivering the same payloads changes nothing.
SELECT woo.upsert_orders('f0000000-0000-4000-8000-000000000001', $${"id": 2, "status": "processing", "total": "50.00",
   "total_tax": "0.00", "shipping_total": "0.00", "date_created_gmt": "2024-03-10T12:00:00", "date_modified_gmt": "2024-03-17T12:00:00",
   "customer_id": 8, "refunds": [{"id": 9, "total": "-20.00"}],
   "line_items": [{"product_id": 102, "name": "Tee", "quantity": 1, "subtotal": "50.00", "total": "50.00"}]}$$);
SELECT is((SELECT sum(orders)::int || ' ' || sum(net_sales) FROM metrics_daily), '2 120.00', 'a re-delivery changes no total');
SELECT is((SELECT count(*)::int FROM woo.analytics_drift('f0000000-0000-4000-8000-000000000001')), 0, 'no drift after re-deliveries');

-- The rollups are read-only to the application and the AI role.
SELECT throws_ok($$UPDATE sales_daily SET orders = 99$$, '42501', NULL, 'woo_app cannot write sales_daily');
SELECT throws_ok($$INSERT INTO sales_daily (store_id, day) VALUES ('f0000000-0000-4000-8000-000000000001', '2024-01-01')$$,
                 '42501', NULL, 'woo_app cannot insert into sales_daily');
SELECT throws_ok($$SELECT woo.repair_analytics('f0000000-0000-4000-8000-000000000002')$$, '42501', NULL,
                 'repair_analytics refuses a store other than the bound one');

-- The canonical views through woo.ai_query (role woo_ai, under RLS): store B's order is invisible.
SELECT results_eq($$SELECT r->>'day', (r->>'net_sales')::numeric FROM woo.ai_query('SELECT day, net_sales FROM metrics_daily WHERE orders > 0 ORDER BY day') r$$,
                  $$VALUES ('2024-03-10', 50.00::numeric), ('2024-03-11', 90.00)$$, 'woo.ai_query reads metrics_daily of the bound store only');
SELECT is((SELECT count(*)::int FROM woo.ai_query('SELECT * FROM metrics_product_daily')), 2, 'woo.ai_query reads metrics_product_daily');
SELECT is((SELECT count(*)::int FROM woo.ai_query('SELECT * FROM metrics_coupon_daily')), 1, 'woo.ai_query reads metrics_coupon_daily');
SELECT is((SELECT count(*)::int FROM woo.ai_query('SELECT * FROM customer_segments')), 2, 'woo.ai_query reads customer_segments (two customers with counted orders)');
SELECT is((SELECT count(*)::int FROM woo.ai_query('SELECT * FROM refunds')), 1, 'woo.ai_query reads refunds');

-- A DBA's direct UPDATE (as the owner) is followed as well.
RESET ROLE;
UPDATE orders SET total = total + 100 WHERE store_id = 'f0000000-0000-4000-8000-000000000001' AND wc_order_id = 1;
DELETE FROM order_items WHERE store_id = 'f0000000-0000-4000-8000-000000000001' AND product_name = 'Tee';
SET LOCAL ROLE woo_app;
SELECT is((SELECT gross_sales FROM metrics_daily WHERE day = '2024-03-11'), 195.00::numeric, 'a DBA''s UPDATE of orders.total moves gross sales');
SELECT is((SELECT count(*)::int FROM woo.analytics_drift('f0000000-0000-4000-8000-000000000001')), 0, 'no drift after direct UPDATE and DELETE');

-- The store's time zone changes: its rollups are rebuilt (order 1 is on March 10 in UTC).
SELECT woo.configure_store('f0000000-0000-4000-8000-000000000001', '{"timezone": "UTC"}');
SELECT results_eq($$SELECT day, orders FROM metrics_daily WHERE orders > 0 ORDER BY day$$, $$VALUES ('2024-03-10'::date, 2)$$,
                  'a new time zone re-cuts the days');
-- Excluded statuses change: processing no longer counts.
SELECT woo.configure_store('f0000000-0000-4000-8000-000000000001', '{"excluded_statuses": ["processing", "cancelled"]}');
SELECT results_eq($$SELECT day, orders, refunds FROM metrics_daily WHERE orders > 0 OR refunds <> 0 ORDER BY day$$,
                  $$VALUES ('2024-03-10'::date, 1, 0.00::numeric)$$,
                  'new excluded statuses apply to the rollups at once');

-- Drift is reported, and repaired.
RESET ROLE;
UPDATE sales_daily SET orders = orders + 5 WHERE store_id = 'f0000000-0000-4000-8000-000000000001' AND day = '2024-03-10';
SET LOCAL ROLE woo_app;
SELECT results_eq($$SELECT day, metric, stored, expected FROM woo.analytics_drift('f0000000-0000-4000-8000-000000000001')$$,
                  $$VALUES ('2024-03-10'::date, 'orders', 6::numeric, 1::numeric)$$, 'analytics_drift names the wrong value');
SELECT ok(woo.repair_analytics('f0000000-0000-4000-8000-000000000001') > 0, 'repair_analytics rewrites the store''s rollups');
SELECT is((SELECT count(*)::int FROM woo.analytics_drift('f0000000-0000-4000-8000-000000000001')), 0, 'no drift after the repair');

-- New and returning customers (UTC store): a customer returns on a later day; an earlier
-- order arriving late makes that day the first and the others returning.
RESET ROLE;
INSERT INTO public.stores (id, store_url, api_key_hash) VALUES ('f0000000-0000-4000-8000-000000000003', 'https://metrics-customers.example', 'x');
SET LOCAL ROLE woo_app;
SELECT woo.set_store('f0000000-0000-4000-8000-000000000003');
SELECT woo.upsert_orders('f0000000-0000-4000-8000-000000000003', $$[
  {"id": 1, "status": "completed", "total": "10.00", "date_created_gmt": "2024-06-02T10:00:00", "customer_id": 1},
  {"id": 2, "status": "completed", "total": "10.00", "date_created_gmt": "2024-06-03T10:00:00", "customer_id": 1},
  {"id": 3, "status": "completed", "total": "10.00", "date_created_gmt": "2024-06-03T11:00:00", "customer_id": 0, "billing": {"email": "g@example.com"}},
  {"id": 4, "status": "failed", "total": "10.00", "date_created_gmt": "2024-06-01T10:00:00", "customer_id": 2}]$$);
SELECT results_eq($$SELECT day, new_customers, returning_customers FROM metrics_daily ORDER BY day$$,
                  $$VALUES ('2024-06-02'::date, 1, 0), ('2024-06-03', 1, 1)$$,
                  'June 3: the guest is new, customer 1 returns (a failed order makes nobody a customer)');
SELECT woo.upsert_orders('f0000000-0000-4000-8000-000000000003',
    $${"id": 5, "status": "completed", "total": "10.00", "date_created_gmt": "2024-06-01T09:00:00", "customer_id": 1}$$);
SELECT results_eq($$SELECT day, new_customers, returning_customers FROM metrics_daily ORDER BY day$$,
                  $$VALUES ('2024-06-01'::date, 1, 0), ('2024-06-02', 0, 1), ('2024-06-03', 1, 1)$$,
                  'an earlier order arriving late: customer 1 is new on June 1 and returns on June 2 and 3');
SELECT results_eq($$SELECT r->>'day', (r->>'new_customers')::int, (r->>'returning_customers')::int
                      FROM woo.ai_query('SELECT day, new_customers, returning_customers FROM metrics_daily ORDER BY day') r$$,
                  $$VALUES ('2024-06-01', 1, 0), ('2024-06-02', 0, 1), ('2024-06-03', 1, 1)$$,
                  'the same through woo.ai_query (woo_ai reads the day rules through woo.store_day_rules)');

SELECT * FROM finish();
ROLLBACK;
