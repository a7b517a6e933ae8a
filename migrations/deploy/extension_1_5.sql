-- Deploy pg_woocommerce:extension_1_5 to pg
-- pg_woocommerce 1.5.
BEGIN;
ALTER EXTENSION pg_woocommerce UPDATE TO '1.5';
-- ==== issue 9: woo.ai_query budgets ====
-- woo.ai_query runs the model's SQL as woo_ai, with its expressions wrapped in woo._checkpoint.
GRANT EXECUTE ON FUNCTION woo._checkpoint(anyelement) TO woo_ai;
-- ==== end issue 9 ====
COMMIT;
