-- Revert pg_woocommerce:refunds from pg
BEGIN;
DROP TABLE public.refunds;
COMMIT;
