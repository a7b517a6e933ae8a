-- Deploy pg_woocommerce:extension_1_6 to pg
-- pg_woocommerce 1.6. Each issue's part is delimited by "-- ==== issue N" markers.
BEGIN;
ALTER EXTENSION pg_woocommerce UPDATE TO '1.6';

-- ==== issue 14: dated refunds, canonical sales metrics, day-level rollup, AI context ====
-- Who may call what (README, "Roles"); the triggers' functions are SECURITY DEFINER
-- (public.sales_daily is read-only to every role) and callable by no role.
GRANT EXECUTE ON FUNCTION woo.upsert_refunds(uuid, integer, jsonb, boolean), woo._sync_order_refunds(uuid, uuid[], jsonb[]),
                          woo._store_rules(uuid[]), woo.store_day_rules(), woo.expected_sales_daily(uuid),
                          woo.analytics_drift(uuid), woo.repair_analytics(uuid), woo.ai_context(), woo.ai_context_jsonb() TO woo_app;
GRANT EXECUTE ON FUNCTION woo.store_day_rules() TO woo_ai;

-- The rollup follows every write of orders, order_items and refunds (whoever writes),
-- in the writer's transaction: per statement with transition tables, except an
-- order's delete (per row, before: its items and refunds are still there).
CREATE TRIGGER sales_daily_orders_insert AFTER INSERT ON public.orders
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_orders();
CREATE TRIGGER sales_daily_orders_update AFTER UPDATE ON public.orders
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_orders();
CREATE TRIGGER sales_daily_orders_delete BEFORE DELETE ON public.orders
    FOR EACH ROW EXECUTE FUNCTION woo._sales_daily_orders();
CREATE TRIGGER sales_daily_items_insert AFTER INSERT ON public.order_items
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_items();
CREATE TRIGGER sales_daily_items_update AFTER UPDATE ON public.order_items
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_items();
CREATE TRIGGER sales_daily_items_delete AFTER DELETE ON public.order_items
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_items();
CREATE TRIGGER sales_daily_refunds_insert AFTER INSERT ON public.refunds
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_refunds();
CREATE TRIGGER sales_daily_refunds_update AFTER UPDATE ON public.refunds
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_refunds();
CREATE TRIGGER sales_daily_refunds_delete AFTER DELETE ON public.refunds
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_refunds();
-- A store's time zone or excluded statuses change: its rollup is rebuilt.
CREATE TRIGGER sales_daily_stores_rules AFTER UPDATE OF settings ON public.stores
    FOR EACH ROW WHEN (OLD.settings->'timezone' IS DISTINCT FROM NEW.settings->'timezone'
                       OR OLD.settings->'excluded_statuses' IS DISTINCT FROM NEW.settings->'excluded_statuses')
    EXECUTE FUNCTION woo._sales_daily_stores();
-- The rollup of the rows already there.
SELECT woo._rebuild_sales_daily(s.id) FROM public.stores s;

-- The canonical views, what the assistant should read. security_invoker: under the
-- reader's privileges and RLS, so a woo_ai login sees its own store only; the day
-- rules come from woo.store_day_rules() (woo_ai cannot read stores.settings).
-- metrics_daily reads the rollup; its customer columns are computed when asked for
-- (the planner drops their joins from a query that does not use them).
CREATE VIEW public.metrics_daily WITH (security_invoker = true) AS
SELECT t.store_id, t.day, t.orders, t.items_sold, t.gross_sales, t.discounts, t.refunds,
       t.gross_sales - t.discounts - t.refunds AS net_sales, t.taxes, t.shipping,
       t.gross_sales - t.discounts - t.refunds + t.taxes + t.shipping AS total_sales,
       CASE WHEN t.orders > 0 THEN round((t.gross_sales - t.discounts) / t.orders, 2) END AS average_order_value,
       coalesce(n.new_customers, 0) AS new_customers,
       coalesce(c.customers, 0) - coalesce(n.new_customers, 0) AS returning_customers
  FROM (SELECT s.store_id, s.day, sum(s.orders)::integer AS orders, sum(s.items_sold) AS items_sold,
               sum(s.gross_sales) AS gross_sales, sum(s.discounts) AS discounts, sum(s.refunds) AS refunds,
               sum(s.taxes) AS taxes, sum(s.shipping) AS shipping
          FROM public.sales_daily s GROUP BY s.store_id, s.day) t
  LEFT JOIN (SELECT cu.store_id, (cu.first_order_date AT TIME ZONE r.time_zone)::date AS day, count(*)::integer AS new_customers
               FROM public.customers cu CROSS JOIN woo.store_day_rules() r
              WHERE cu.first_order_date IS NOT NULL GROUP BY 1, 2) n ON n.store_id = t.store_id AND n.day = t.day
  LEFT JOIN (SELECT o.store_id, (o.date_created AT TIME ZONE r.time_zone)::date AS day, count(DISTINCT o.customer_id)::integer AS customers
               FROM public.orders o CROSS JOIN woo.store_day_rules() r
              WHERE o.customer_id IS NOT NULL AND o.status::text <> ALL (r.excluded_statuses) GROUP BY 1, 2) c
         ON c.store_id = t.store_id AND c.day = t.day;
-- Per product and per coupon: views over the raw tables (no rollup to keep). Their days come
-- from sales_daily (every day with a counted order has a row there), so that a filter on
-- day is an index range of the rollup, and each day's orders one range of
-- idx_orders_store_date (store_id, date_created) between the day's local midnights (computed
-- beforehand, OFFSET 0: a bound computed inside the probe would not be leakproof, and RLS
-- would then keep it out of the index condition).
CREATE VIEW public.metrics_product_daily WITH (security_invoker = true) AS
SELECT d.store_id, d.day, x.product_id, p.name AS product_name, p.sku,
       sum(x.quantity) AS units, sum(coalesce(x.total, 0)) AS net_revenue, count(DISTINCT x.order_id)::integer AS orders
  FROM (SELECT k.store_id, k.day, (k.day::timestamp AT TIME ZONE r.time_zone) AS lo,
               ((k.day + 1)::timestamp AT TIME ZONE r.time_zone) AS hi, r.excluded_statuses AS ex
          FROM (SELECT DISTINCT s.store_id, s.day FROM public.sales_daily s) k CROSS JOIN woo.store_day_rules() r OFFSET 0) d
 CROSS JOIN LATERAL (
        SELECT i.order_id, i.product_id, i.quantity, i.total
          FROM public.orders o JOIN public.order_items i ON i.order_id = o.id AND i.store_id = o.store_id
         WHERE o.store_id = d.store_id AND o.date_created >= d.lo AND o.date_created < d.hi
           AND o.status::text <> ALL (d.ex)
        OFFSET 0) x
  LEFT JOIN public.products p ON p.id = x.product_id AND p.store_id = d.store_id
 GROUP BY d.store_id, d.day, x.product_id, p.name, p.sku;
CREATE VIEW public.metrics_coupon_daily WITH (security_invoker = true) AS
SELECT d.store_id, d.day, k.code AS coupon_code, count(*)::integer AS orders,
       sum(round(coalesce(x.discount_total, 0) / k.n, 2)) AS discount
  FROM (SELECT k.store_id, k.day, (k.day::timestamp AT TIME ZONE r.time_zone) AS lo,
               ((k.day + 1)::timestamp AT TIME ZONE r.time_zone) AS hi, r.excluded_statuses AS ex
          FROM (SELECT DISTINCT s.store_id, s.day FROM public.sales_daily s) k CROSS JOIN woo.store_day_rules() r OFFSET 0) d
 CROSS JOIN LATERAL (
        SELECT o.coupon_used, o.discount_total FROM public.orders o
         WHERE o.store_id = d.store_id AND o.date_created >= d.lo AND o.date_created < d.hi
           AND o.coupon_used IS NOT NULL AND o.status::text <> ALL (d.ex)
        OFFSET 0) x
 CROSS JOIN LATERAL (SELECT btrim(c) AS code, count(*) OVER () AS n FROM unnest(string_to_array(x.coupon_used::text, ',')) AS c) k
 GROUP BY d.store_id, d.day, k.code;
-- RFM: quintiles (5 = best) over the store's customers with at least one counted order.
CREATE VIEW public.customer_segments WITH (security_invoker = true) AS
SELECT x.store_id, x.customer_id, x.display_name, x.order_count, x.total_spent, x.first_order_date, x.last_order_date,
       x.recency_score, x.frequency_score, x.monetary_score,
       CASE WHEN x.recency_score >= 4 AND x.frequency_score >= 4 THEN 'champions'
            WHEN x.recency_score >= 3 AND x.frequency_score >= 3 THEN 'loyal'
            WHEN x.recency_score >= 4 AND x.frequency_score <= 2 THEN 'new'
            WHEN x.recency_score <= 2 AND x.frequency_score >= 3 THEN 'at_risk'
            WHEN x.recency_score <= 2 THEN 'hibernating'
            ELSE 'potential' END AS segment
  FROM (SELECT c.store_id, c.id AS customer_id, c.display_name, c.order_count, c.total_spent, c.first_order_date, c.last_order_date,
               ntile(5) OVER (PARTITION BY c.store_id ORDER BY c.last_order_date, c.id)::integer AS recency_score,
               ntile(5) OVER (PARTITION BY c.store_id ORDER BY c.order_count, c.id)::integer AS frequency_score,
               ntile(5) OVER (PARTITION BY c.store_id ORDER BY c.total_spent, c.id)::integer AS monetary_score
          FROM public.customers c WHERE c.order_count > 0) x;
ALTER VIEW public.metrics_daily OWNER TO woo_owner;
ALTER VIEW public.metrics_product_daily OWNER TO woo_owner;
ALTER VIEW public.metrics_coupon_daily OWNER TO woo_owner;
ALTER VIEW public.customer_segments OWNER TO woo_owner;
REVOKE ALL ON public.metrics_daily, public.metrics_product_daily, public.metrics_coupon_daily, public.customer_segments FROM PUBLIC;
GRANT SELECT ON public.metrics_daily, public.metrics_product_daily, public.metrics_coupon_daily, public.customer_segments
    TO woo_app, woo_ai;

COMMENT ON VIEW public.metrics_daily IS 'START HERE for sales questions: canonical daily sales per store-local calendar day (the store''s time zone), after WooCommerce Analytics; excluded statuses left out, refunds on the refund''s own day';
COMMENT ON COLUMN public.metrics_daily.store_id IS 'Owning store (stores.id)';
COMMENT ON COLUMN public.metrics_daily.day IS 'The store-local calendar day (the store''s time zone); filter days with it, never with UTC timestamps';
COMMENT ON COLUMN public.metrics_daily.orders IS 'Counted orders placed that day';
COMMENT ON COLUMN public.metrics_daily.items_sold IS 'Units sold on those orders (sum of line item quantities)';
COMMENT ON COLUMN public.metrics_daily.gross_sales IS 'total - tax - shipping + discounts of the day''s orders (before coupons and refunds), in currency';
COMMENT ON COLUMN public.metrics_daily.discounts IS 'Coupon discounts of the day''s orders, in currency';
COMMENT ON COLUMN public.metrics_daily.refunds IS 'Refunds made that day on counted orders, positive, in currency';
COMMENT ON COLUMN public.metrics_daily.net_sales IS 'gross_sales - discounts - refunds = total - tax - shipping of the day''s orders, less the day''s refunds; the usual "revenue", in currency';
COMMENT ON COLUMN public.metrics_daily.taxes IS 'Tax of the day''s orders, in currency';
COMMENT ON COLUMN public.metrics_daily.shipping IS 'Shipping of the day''s orders, in currency';
COMMENT ON COLUMN public.metrics_daily.total_sales IS 'net_sales + taxes + shipping, in currency';
COMMENT ON COLUMN public.metrics_daily.average_order_value IS '(gross_sales - discounts) / orders, in currency; NULL on a day without orders. Over a period use sum(gross_sales - discounts) / sum(orders)';
COMMENT ON COLUMN public.metrics_daily.new_customers IS 'Customers (registered or guest) whose first counted order was placed that day';
COMMENT ON COLUMN public.metrics_daily.returning_customers IS 'Customers with a counted order that day whose first counted order was on an earlier day (not additive over days: a customer can return on several)';
COMMENT ON VIEW public.metrics_product_daily IS 'Canonical sales per product and store-local calendar day (the store''s time zone), counted orders only';
COMMENT ON COLUMN public.metrics_product_daily.store_id IS 'Owning store (stores.id)';
COMMENT ON COLUMN public.metrics_product_daily.day IS 'The store-local calendar day (the store''s time zone) of the orders';
COMMENT ON COLUMN public.metrics_product_daily.product_id IS 'The product or variation (products.id); NULL for lines without a product';
COMMENT ON COLUMN public.metrics_product_daily.product_name IS 'Current product name (products.name)';
COMMENT ON COLUMN public.metrics_product_daily.sku IS 'Current SKU (products.sku)';
COMMENT ON COLUMN public.metrics_product_daily.units IS 'Units sold (sum of quantity)';
COMMENT ON COLUMN public.metrics_product_daily.net_revenue IS 'Line totals after discounts, tax excluded, in currency (refunds not deducted)';
COMMENT ON COLUMN public.metrics_product_daily.orders IS 'Counted orders with the product that day';
COMMENT ON VIEW public.metrics_coupon_daily IS 'Canonical coupon use per code and store-local calendar day (the store''s time zone), counted orders only';
COMMENT ON COLUMN public.metrics_coupon_daily.store_id IS 'Owning store (stores.id)';
COMMENT ON COLUMN public.metrics_coupon_daily.day IS 'The store-local calendar day (the store''s time zone)';
COMMENT ON COLUMN public.metrics_coupon_daily.coupon_code IS 'Coupon code as on the order';
COMMENT ON COLUMN public.metrics_coupon_daily.orders IS 'Counted orders that used it';
COMMENT ON COLUMN public.metrics_coupon_daily.discount IS 'Discount given, an order''s discount_total shared equally among its codes, in currency';
COMMENT ON VIEW public.customer_segments IS 'RFM segments of the customers with at least one counted order: quintile scores 1-5 (5 best) and a named segment';
COMMENT ON COLUMN public.customer_segments.store_id IS 'Owning store (stores.id)';
COMMENT ON COLUMN public.customer_segments.customer_id IS 'The customer (customers.id)';
COMMENT ON COLUMN public.customer_segments.display_name IS 'Customer name';
COMMENT ON COLUMN public.customer_segments.order_count IS 'Counted orders';
COMMENT ON COLUMN public.customer_segments.total_spent IS 'Lifetime spend net of refunds, in currency';
COMMENT ON COLUMN public.customer_segments.first_order_date IS 'First counted order; timestamptz, stored in UTC';
COMMENT ON COLUMN public.customer_segments.last_order_date IS 'Last counted order; timestamptz, stored in UTC';
COMMENT ON COLUMN public.customer_segments.recency_score IS '1-5 quintile of last_order_date among the store''s customers (5 = most recent)';
COMMENT ON COLUMN public.customer_segments.frequency_score IS '1-5 quintile of order_count (5 = most orders)';
COMMENT ON COLUMN public.customer_segments.monetary_score IS '1-5 quintile of total_spent (5 = highest)';
COMMENT ON COLUMN public.customer_segments.segment IS 'champions (R>=4, F>=4) | loyal (R>=3, F>=3) | new (R>=4, F<=2) | at_risk (R<=2, F>=3) | hibernating (R<=2) | potential (the rest), tested in that order';
-- ==== end issue 14 ====
COMMIT;
