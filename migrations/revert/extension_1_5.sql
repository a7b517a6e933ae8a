-- Revert pg_woocommerce:extension_1_5 from pg
BEGIN;
-- ==== issue 12: stores, API keys, saved charts, conversations, store lifecycle ====
-- (the 1.5 functions and their grants go with the downgrade)
REVOKE USAGE ON SCHEMA woo FROM woo_onboarding;
-- ==== end issue 12 ====
-- ==== issue 14: refunds as dated rows, canonical sales metrics, day-level rollups ====
DROP VIEW public.metrics_daily, public.metrics_product_daily, public.metrics_coupon_daily, public.customer_segments;
DROP TRIGGER analytics_orders_insert ON public.orders;
DROP TRIGGER analytics_orders_update ON public.orders;
DROP TRIGGER analytics_orders_delete ON public.orders;
DROP TRIGGER analytics_items_insert ON public.order_items;
DROP TRIGGER analytics_items_update ON public.order_items;
DROP TRIGGER analytics_items_delete ON public.order_items;
DROP TRIGGER analytics_refunds_insert ON public.refunds;
DROP TRIGGER analytics_refunds_update ON public.refunds;
DROP TRIGGER analytics_refunds_delete ON public.refunds;
DROP TRIGGER analytics_stores_update ON public.stores;
-- ==== end issue 14 ====

ALTER EXTENSION pg_woocommerce UPDATE TO '1.4';
COMMIT;
