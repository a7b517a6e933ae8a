-- Revert pg_woocommerce:sales_daily from pg
BEGIN;
DROP TABLE public.sales_daily;
COMMIT;
