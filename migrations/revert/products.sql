-- Revert pg_woocommerce:products from pg
BEGIN;
DROP TABLE public.products;
COMMIT;
