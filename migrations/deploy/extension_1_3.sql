-- Deploy pg_woocommerce:extension_1_3 to pg
-- pg_woocommerce 1.3: customer lifetime metrics, kept right by every upsert.
BEGIN;

ALTER EXTENSION pg_woocommerce UPDATE TO '1.3';

GRANT EXECUTE ON FUNCTION woo.excluded_statuses(uuid), woo.expected_customer_metrics(uuid, uuid[]),
                          woo.recompute_customer_metrics(uuid, uuid[]), woo.customer_metrics_drift(uuid) TO woo_app;

COMMIT;
