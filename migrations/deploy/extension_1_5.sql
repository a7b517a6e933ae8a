-- Deploy pg_woocommerce:extension_1_5 to pg
-- pg_woocommerce 1.5 (issue 10: customer lifetime totals saturate at numeric(12,2)).
BEGIN;
ALTER EXTENSION pg_woocommerce UPDATE TO '1.5';
COMMIT;
