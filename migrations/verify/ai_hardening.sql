-- Verify pg_woocommerce:ai_hardening on pg
SELECT 1 / (NOT has_database_privilege('woo_ai', current_database(), 'TEMPORARY'))::int;
SELECT 1 / (NOT has_function_privilege('woo_ai', 'pg_catalog.pg_sleep(double precision)', 'EXECUTE'))::int;
SELECT 1 / (NOT has_function_privilege('woo_ai', 'pg_catalog.pg_advisory_lock(bigint)', 'EXECUTE'))::int;
SELECT 1 / (NOT has_function_privilege('woo_ai', 'pg_catalog.pg_notify(text, text)', 'EXECUTE'))::int;
SELECT 1 / (NOT has_function_privilege('woo_ai', 'pg_catalog.lo_creat(integer)', 'EXECUTE'))::int;
SELECT 1 / (NOT has_function_privilege('woo_ai', 'pg_catalog.query_to_xml(text, boolean, boolean, text)', 'EXECUTE'))::int;
SELECT 1 / (NOT has_table_privilege('woo_ai', 'pg_catalog.pg_stats', 'SELECT'))::int;
SELECT 1 / (NOT has_function_privilege('woo_ai', 'pg_catalog.set_config(text, text, boolean)', 'EXECUTE'))::int;
SELECT 1 / has_function_privilege('woo_app', 'pg_catalog.set_config(text, text, boolean)', 'EXECUTE')::int;
SELECT 1 / (NOT has_function_privilege('woo_ai', 'pg_catalog.pg_logical_emit_message(boolean, text, text)', 'EXECUTE'))::int;
