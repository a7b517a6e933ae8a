-- Deploy pg_woocommerce:extension_1_1 to pg
-- pg_woocommerce 1.1: tenant binding (woo.store_id, woo.current_store,
-- woo.set_store, woo.ai_query, woo.create_ai_login).
BEGIN;
ALTER EXTENSION pg_woocommerce UPDATE TO '1.1';
COMMIT;
