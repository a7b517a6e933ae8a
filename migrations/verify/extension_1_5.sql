-- Verify pg_woocommerce:extension_1_5 on pg
SELECT 1 / count(*)::int FROM pg_extension WHERE extname = 'pg_woocommerce' AND extversion = '1.5';
-- ==== issue 9: woo.ai_query budgets ====
SELECT 1 / has_function_privilege('woo_ai', 'woo._checkpoint(anyelement)', 'EXECUTE')::int;
SELECT 1 / (NOT has_function_privilege('public', 'woo._checkpoint(anyelement)', 'EXECUTE'))::int;
-- ==== end issue 9 ====
