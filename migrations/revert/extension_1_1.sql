-- Revert pg_woocommerce:extension_1_1 from pg
BEGIN;
ALTER EXTENSION pg_woocommerce UPDATE TO '1.0';
COMMIT;
