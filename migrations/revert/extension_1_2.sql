-- Revert pg_woocommerce:extension_1_2 from pg
BEGIN;
ALTER EXTENSION pg_woocommerce UPDATE TO '1.1';
COMMIT;
