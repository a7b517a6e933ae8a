-- Revert pg_woocommerce:extension_1_3 from pg
BEGIN;
ALTER EXTENSION pg_woocommerce UPDATE TO '1.2';
COMMIT;
