-- Verify pg_woocommerce:extension_1_3 on pg
SELECT 'woo.recompute_customer_metrics(uuid, uuid[])'::regprocedure, 'woo.customer_metrics_drift(uuid)'::regprocedure,
       'woo.expected_customer_metrics(uuid, uuid[])'::regprocedure, 'woo.excluded_statuses(uuid)'::regprocedure;
SELECT 1 / has_function_privilege('woo_app', 'woo.recompute_customer_metrics(uuid, uuid[])', 'EXECUTE')::int;
