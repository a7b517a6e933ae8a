-- Revert pg_woocommerce:load_checkpoints from pg
BEGIN;
DROP TABLE woo.load_checkpoints;
ALTER TABLE public.sync_logs DROP CONSTRAINT sync_logs_store_id_id_key;
COMMIT;
