-- Revert pg_woocommerce:extension_1_5 from pg
BEGIN;
ALTER EXTENSION pg_woocommerce UPDATE TO '1.4';
COMMIT;
