-- Revert pg_woocommerce:order_items from pg
BEGIN;
DROP TABLE public.order_items;
COMMIT;
