-- Revert pg_woocommerce:extension_1_6 from pg
BEGIN;
-- ==== issue 14: dated refunds, canonical sales metrics, day-level rollup, AI context ====
-- (the 1.6 functions and their grants go with the downgrade)
DROP VIEW public.metrics_daily, public.metrics_product_daily, public.metrics_coupon_daily, public.customer_segments;
DROP TRIGGER sales_daily_orders_insert ON public.orders;
DROP TRIGGER sales_daily_orders_update ON public.orders;
DROP TRIGGER sales_daily_orders_delete ON public.orders;
DROP TRIGGER sales_daily_items_insert ON public.order_items;
DROP TRIGGER sales_daily_items_update ON public.order_items;
DROP TRIGGER sales_daily_items_delete ON public.order_items;
DROP TRIGGER sales_daily_refunds_insert ON public.refunds;
DROP TRIGGER sales_daily_refunds_update ON public.refunds;
DROP TRIGGER sales_daily_refunds_delete ON public.refunds;
DROP TRIGGER sales_daily_stores_rules ON public.stores;
-- ==== end issue 14 ====
ALTER EXTENSION pg_woocommerce UPDATE TO '1.5';
COMMIT;
