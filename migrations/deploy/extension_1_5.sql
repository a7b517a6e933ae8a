-- Deploy pg_woocommerce:extension_1_5 to pg
-- pg_woocommerce 1.5. Each issue's part is delimited by "-- ==== issue N" markers.
BEGIN;
ALTER EXTENSION pg_woocommerce UPDATE TO '1.5';

-- ==== issue 12: stores, API keys, saved charts, conversations, store lifecycle ====
-- Who may call what (README, "Roles"). Functions marked SECURITY DEFINER run as
-- the extension's owner; everything else runs as its caller, under RLS.
GRANT USAGE ON SCHEMA woo TO woo_onboarding;
GRANT EXECUTE ON FUNCTION woo.register_store(text, text, text, text, jsonb), woo.normalize_store_url(text) TO woo_onboarding;
GRANT EXECUTE ON FUNCTION woo.normalize_store_url(text), woo.verify_store_key(text, text), woo.rotate_store_key(uuid, text),
                          woo._hash_api_key(text, text), woo._check_store_settings(jsonb), woo.configure_store(uuid, jsonb),
                          woo.deactivate_store(uuid), woo.forget_customer(uuid, text),
                          woo.check_ai_query(text), woo._check_chart_config(jsonb), woo._check_chart_fields(text, text, jsonb),
                          woo.save_chart(uuid, text, text, jsonb, integer), woo.update_chart(uuid, text, text, jsonb),
                          woo.run_chart(uuid, integer), woo.delete_chart(uuid), woo.move_chart(uuid, integer),
                          woo.redact_emails(text), woo._redact_emails_jsonb(jsonb), woo.start_conversation(uuid), woo.append_message(uuid, text, text, jsonb),
                          woo.sync_cursor(uuid, text) TO woo_app;
GRANT EXECUTE ON FUNCTION woo.purge_store(uuid) TO woo_owner;
-- ==== end issue 12 ====

-- ==== issue 14: refunds as dated rows, canonical sales metrics, day-level rollups ====
-- The rollups follow every write of orders, order_items and refunds (whoever writes),
-- in the same transaction; a store's timezone or excluded statuses rebuild them.
CREATE TRIGGER analytics_orders_insert AFTER INSERT ON public.orders
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._analytics_orders_trigger();
CREATE TRIGGER analytics_orders_update AFTER UPDATE ON public.orders
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._analytics_orders_trigger();
CREATE TRIGGER analytics_orders_delete BEFORE DELETE ON public.orders
    FOR EACH ROW EXECUTE FUNCTION woo._analytics_orders_trigger();
CREATE TRIGGER analytics_items_insert AFTER INSERT ON public.order_items
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._analytics_items_trigger();
CREATE TRIGGER analytics_items_update AFTER UPDATE ON public.order_items
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._analytics_items_trigger();
CREATE TRIGGER analytics_items_delete AFTER DELETE ON public.order_items
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._analytics_items_trigger();
CREATE TRIGGER analytics_refunds_insert AFTER INSERT ON public.refunds
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._analytics_refunds_trigger();
CREATE TRIGGER analytics_refunds_update AFTER UPDATE ON public.refunds
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._analytics_refunds_trigger();
CREATE TRIGGER analytics_refunds_delete AFTER DELETE ON public.refunds
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._analytics_refunds_trigger();
CREATE TRIGGER analytics_stores_update AFTER UPDATE ON public.stores
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._analytics_stores_trigger();
-- The rollups of the rows already there.
SELECT woo._rebuild_analytics(s.id) FROM public.stores s;

-- The canonical views: what the assistant should read (security_invoker: under the
-- reader's RLS, so a woo_ai login sees its own store only).
CREATE VIEW public.metrics_daily WITH (security_invoker = true) AS
SELECT t.store_id, t.day, t.orders, t.items_sold, t.gross_sales, t.discounts, t.refunds,
       t.gross_sales - t.discounts - t.refunds AS net_sales, t.taxes, t.shipping,
       t.gross_sales - t.discounts - t.refunds + t.taxes + t.shipping AS total_sales,
       CASE WHEN t.orders > 0 THEN round((t.gross_sales - t.discounts) / t.orders, 2) END AS average_order_value
  FROM public.sales_daily t;
CREATE VIEW public.metrics_product_daily WITH (security_invoker = true) AS
SELECT t.store_id, t.day, t.product_id, p.name AS product_name, p.sku, t.units, t.net_revenue, t.orders
  FROM public.product_sales_daily t LEFT JOIN public.products p ON p.id = t.product_id;
CREATE VIEW public.metrics_coupon_daily WITH (security_invoker = true) AS
SELECT t.store_id, t.day, t.coupon_code, t.orders, t.discount
  FROM public.coupon_sales_daily t;
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
COMMENT ON VIEW public.metrics_daily IS 'START HERE for sales questions: canonical daily sales per store-local calendar day (the store''s time zone), after WooCommerce Analytics; excluded statuses left out, refunds on the refund''s own day';
COMMENT ON COLUMN public.metrics_daily.store_id IS 'Owning store (stores.id)';
COMMENT ON COLUMN public.metrics_daily.day IS 'The store-local calendar day (the store''s time zone); filter days with it, never with UTC timestamps';
COMMENT ON COLUMN public.metrics_daily.orders IS 'Counted orders placed that day';
COMMENT ON COLUMN public.metrics_daily.items_sold IS 'Units sold on those orders';
COMMENT ON COLUMN public.metrics_daily.gross_sales IS 'total - tax - shipping + discounts of the day''s orders (before coupons and refunds), in currency';
COMMENT ON COLUMN public.metrics_daily.discounts IS 'Coupon discounts of the day''s orders, in currency';
COMMENT ON COLUMN public.metrics_daily.refunds IS 'Refunds made that day on counted orders, positive, in currency';
COMMENT ON COLUMN public.metrics_daily.net_sales IS 'gross_sales - discounts - refunds = total - tax - shipping, net of the day''s refunds; the usual "revenue", in currency';
COMMENT ON COLUMN public.metrics_daily.taxes IS 'Tax of the day''s orders, in currency';
COMMENT ON COLUMN public.metrics_daily.shipping IS 'Shipping of the day''s orders, in currency';
COMMENT ON COLUMN public.metrics_daily.total_sales IS 'net_sales + taxes + shipping, in currency';
COMMENT ON COLUMN public.metrics_daily.average_order_value IS '(gross_sales - discounts) / orders, in currency; NULL on a day without orders. Over a period use sum(gross_sales - discounts) / sum(orders)';
COMMENT ON VIEW public.metrics_product_daily IS 'Canonical sales per product and store-local calendar day (the store''s time zone) (counted orders only)';
COMMENT ON COLUMN public.metrics_product_daily.store_id IS 'Owning store (stores.id)';
COMMENT ON COLUMN public.metrics_product_daily.day IS 'The store-local calendar day (the store''s time zone)';
COMMENT ON COLUMN public.metrics_product_daily.product_id IS 'The product or variation (products.id)';
COMMENT ON COLUMN public.metrics_product_daily.product_name IS 'Current product name (products.name)';
COMMENT ON COLUMN public.metrics_product_daily.sku IS 'Current SKU (products.sku)';
COMMENT ON COLUMN public.metrics_product_daily.units IS 'Units sold';
COMMENT ON COLUMN public.metrics_product_daily.net_revenue IS 'Line totals after discounts, tax excluded, in currency (refunds not deducted)';
COMMENT ON COLUMN public.metrics_product_daily.orders IS 'Counted orders with the product that day';
COMMENT ON VIEW public.metrics_coupon_daily IS 'Canonical coupon use per code and store-local calendar day (the store''s time zone) (counted orders only)';
COMMENT ON COLUMN public.metrics_coupon_daily.store_id IS 'Owning store (stores.id)';
COMMENT ON COLUMN public.metrics_coupon_daily.day IS 'The store-local calendar day (the store''s time zone)';
COMMENT ON COLUMN public.metrics_coupon_daily.coupon_code IS 'Coupon code';
COMMENT ON COLUMN public.metrics_coupon_daily.orders IS 'Counted orders that used it';
COMMENT ON COLUMN public.metrics_coupon_daily.discount IS 'Discount given, shared equally among an order''s codes, in currency';
COMMENT ON VIEW public.customer_segments IS 'RFM segments of the customers with at least one counted order: quintile scores 1-5 (5 best) and a named segment';
COMMENT ON COLUMN public.customer_segments.store_id IS 'Owning store (stores.id)';
COMMENT ON COLUMN public.customer_segments.customer_id IS 'The customer (customers.id)';
COMMENT ON COLUMN public.customer_segments.display_name IS 'Customer name';
COMMENT ON COLUMN public.customer_segments.order_count IS 'Counted orders';
COMMENT ON COLUMN public.customer_segments.total_spent IS 'Lifetime spend net of refunds, in currency';
COMMENT ON COLUMN public.customer_segments.first_order_date IS 'First counted order; timestamptz in UTC';
COMMENT ON COLUMN public.customer_segments.last_order_date IS 'Last counted order; timestamptz in UTC';
COMMENT ON COLUMN public.customer_segments.recency_score IS '1-5 quintile of last_order_date among the store''s customers (5 = most recent)';
COMMENT ON COLUMN public.customer_segments.frequency_score IS '1-5 quintile of order_count (5 = most orders)';
COMMENT ON COLUMN public.customer_segments.monetary_score IS '1-5 quintile of total_spent (5 = highest)';
COMMENT ON COLUMN public.customer_segments.segment IS 'champions (R>=4, F>=4) | loyal (R>=3, F>=3) | new (R>=4, F<=2) | at_risk (R<=2, F>=3) | hibernating (R<=2) | potential (the rest)';
ALTER VIEW public.metrics_daily OWNER TO woo_owner;
ALTER VIEW public.metrics_product_daily OWNER TO woo_owner;
ALTER VIEW public.metrics_coupon_daily OWNER TO woo_owner;
ALTER VIEW public.customer_segments OWNER TO woo_owner;
REVOKE ALL ON public.metrics_daily, public.metrics_product_daily, public.metrics_coupon_daily, public.customer_segments FROM PUBLIC;
GRANT SELECT ON public.metrics_daily, public.metrics_product_daily, public.metrics_coupon_daily, public.customer_segments
    TO woo_app, woo_ai;

GRANT EXECUTE ON FUNCTION woo.upsert_refunds(uuid, integer, jsonb, boolean), woo._sync_order_refunds(uuid, uuid[], jsonb[]),
                          woo.store_timezone(uuid), woo.expected_sales_daily(uuid), woo.expected_product_sales_daily(uuid),
                          woo.expected_coupon_sales_daily(uuid), woo.analytics_drift(uuid), woo.repair_analytics(uuid),
                          woo.ai_context(), woo.ai_context_jsonb()
    TO woo_app;
-- ==== end issue 14 ====

COMMIT;
