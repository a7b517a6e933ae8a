-- Deploy pg_woocommerce:extension_1_4 to pg
-- pg_woocommerce 1.4: customer metrics of given customers reach their orders by
-- index whatever the statistics say (bulk loads no longer slow down as they go).
BEGIN;
ALTER EXTENSION pg_woocommerce UPDATE TO '1.4';
COMMIT;
