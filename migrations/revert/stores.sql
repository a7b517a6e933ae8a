-- Revert pg_woocommerce:stores from pg
BEGIN;
DROP TABLE public.stores;
COMMIT;
