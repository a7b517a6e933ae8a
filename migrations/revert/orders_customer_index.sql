-- Revert pg_woocommerce:orders_customer_index from pg
BEGIN;
DROP INDEX public.idx_orders_store_customer;
COMMIT;
