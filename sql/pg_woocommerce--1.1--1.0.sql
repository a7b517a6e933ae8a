-- pg_woocommerce 1.1 -> 1.0: removes the tenant binding functions. Policies
-- that call woo.current_store() must be dropped first (sqitch reverts them).

\echo Use "ALTER EXTENSION pg_woocommerce UPDATE TO '1.0'" to load this file. \quit

DROP FUNCTION woo.create_ai_login(uuid, name, text);
DROP FUNCTION woo.ai_query(text, integer);
DROP FUNCTION woo.set_store(uuid);
DROP FUNCTION woo.current_store();
DROP FUNCTION woo._loaded_at_startup();

GRANT EXECUTE ON FUNCTION woo.normalize_email(text), woo.normalize_email(text, boolean),
                          woo.hash_email(text), woo.hash_email(text, boolean) TO PUBLIC;
