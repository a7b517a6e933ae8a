-- pg_woocommerce 1.3 -> 1.2: removes the customer metrics functions.

\echo Use "ALTER EXTENSION pg_woocommerce UPDATE TO '1.2'" to load this file. \quit

DROP FUNCTION woo.customer_metrics_drift(uuid);
DROP FUNCTION woo.recompute_customer_metrics(uuid, uuid[]);
DROP FUNCTION woo.expected_customer_metrics(uuid, uuid[]);
DROP FUNCTION woo.excluded_statuses(uuid);
