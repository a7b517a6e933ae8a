-- Revert pg_woocommerce:ingest_rejects from pg
BEGIN;
DROP TABLE woo.ingest_rejects;
COMMIT;
