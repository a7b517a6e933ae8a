-- Revert pg_woocommerce:order_refunds from pg
BEGIN;
ALTER TABLE public.orders DROP COLUMN refunded_total;
COMMIT;
