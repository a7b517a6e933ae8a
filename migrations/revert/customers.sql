-- Revert pg_woocommerce:customers from pg
BEGIN;
DROP TABLE public.customers;
COMMIT;
