-- Revert pg_woocommerce:orders from pg
BEGIN;
DROP TABLE public.orders;
COMMIT;
