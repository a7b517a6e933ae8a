-- Revert pg_woocommerce:conversations from pg
BEGIN;
DROP TABLE public.conversations;
COMMIT;
