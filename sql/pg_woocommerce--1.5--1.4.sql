-- pg_woocommerce 1.5 -> 1.4: removes what 1.5 added.

\echo Use "ALTER EXTENSION pg_woocommerce UPDATE TO '1.4'" to load this file. \quit

-- ==== issue 9: woo.ai_query budgets ====
DROP FUNCTION woo._checkpoint(anyelement);
-- ==== end issue 9 ====
