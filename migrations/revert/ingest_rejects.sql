-- Revert pg_woocommerce:ingest_rejects from pg
BEGIN;
DROP TABLE woo.ingest_rejects;
REVOKE USAGE ON SCHEMA woo FROM woo_owner;
COMMIT;
