-- Revert pg_woocommerce:categories from pg
BEGIN;
DROP TABLE public.categories;
COMMIT;
