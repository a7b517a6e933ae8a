-- Revert pg_woocommerce:extension_1_4 from pg
BEGIN;
ALTER EXTENSION pg_woocommerce UPDATE TO '1.3';
COMMIT;
