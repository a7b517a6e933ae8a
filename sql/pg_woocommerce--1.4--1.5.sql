-- pg_woocommerce 1.4 -> 1.5: tenant isolation round two (issue 9), ...

\echo Use "ALTER EXTENSION pg_woocommerce UPDATE TO '1.5'" to load this file. \quit

-- ==== issue 9: woo.ai_query budgets ====
CREATE FUNCTION woo._checkpoint(value anyelement) RETURNS anyelement
    AS 'MODULE_PATHNAME', 'woo_checkpoint'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION woo._checkpoint(anyelement) IS
    'Internal: an interrupt check that returns its argument; woo.ai_query wraps the model''s operators and function calls in it';
REVOKE ALL ON FUNCTION woo._checkpoint(anyelement) FROM PUBLIC;
-- ==== end issue 9 ====
