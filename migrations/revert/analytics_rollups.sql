-- Revert pg_woocommerce:analytics_rollups from pg
BEGIN;
DROP TABLE public.coupon_sales_daily, public.product_sales_daily, public.sales_daily;
DROP INDEX public.idx_order_items_store_order;
COMMIT;
