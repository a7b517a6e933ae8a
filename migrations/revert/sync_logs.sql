-- Revert pg_woocommerce:sync_logs from pg
BEGIN;
DROP TABLE public.sync_logs;
COMMIT;
