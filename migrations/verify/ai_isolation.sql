-- Verify pg_woocommerce:ai_isolation on pg
SELECT 1 / (NOT has_column_privilege('woo_ai', 'pg_catalog.pg_roles', 'rolconfig', 'SELECT'))::int;
SELECT 1 / has_column_privilege('woo_ai', 'pg_catalog.pg_roles', 'rolname', 'SELECT')::int;
SELECT 1 / (NOT has_column_privilege('woo_ai', 'pg_catalog.pg_user', 'useconfig', 'SELECT'))::int;
SELECT 1 / (NOT has_table_privilege('woo_ai', 'pg_catalog.pg_db_role_setting', 'SELECT'))::int;
SELECT 1 / (NOT has_table_privilege('woo_ai', 'pg_catalog.pg_prepared_statements', 'SELECT'))::int;
SELECT 1 / (NOT has_function_privilege('woo_ai', 'pg_catalog.current_setting(text)', 'EXECUTE'))::int;
SELECT 1 / has_function_privilege('woo_app', 'pg_catalog.current_setting(text)', 'EXECUTE')::int;
SELECT 1 / (NOT has_function_privilege('woo_ai', 'pg_catalog.setseed(double precision)', 'EXECUTE'))::int;
SELECT 1 / (NOT has_function_privilege('woo_ai', 'pg_catalog.ts_stat(text)', 'EXECUTE'))::int;
SELECT 1 / (NOT has_function_privilege('woo_ai', 'pg_catalog.ts_rewrite(tsquery, text)', 'EXECUTE'))::int;
