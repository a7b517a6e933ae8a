-- Deploy pg_woocommerce:pg_woocommerce to pg
-- The extension at its first version; later changes ALTER EXTENSION ... UPDATE.
BEGIN;
CREATE EXTENSION pg_woocommerce VERSION '1.0';
COMMIT;
