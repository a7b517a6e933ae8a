-- Revert pg_woocommerce:saved_charts from pg
BEGIN;
DROP TABLE public.saved_charts;
COMMIT;
