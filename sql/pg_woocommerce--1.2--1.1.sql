-- pg_woocommerce 1.2 -> 1.1: removes the ingestion functions.

\echo Use "ALTER EXTENSION pg_woocommerce UPDATE TO '1.1'" to load this file. \quit

DROP FUNCTION woo.sync_finish(uuid, integer, text);
DROP FUNCTION woo.sync_start(uuid, text);
DROP FUNCTION woo.verify_webhook_signature(text, text, text);
DROP FUNCTION woo.apply_webhook(uuid, text, jsonb);
DROP FUNCTION woo.upsert_coupons(uuid, jsonb, boolean);
DROP FUNCTION woo.upsert_categories(uuid, jsonb, boolean);
DROP FUNCTION woo.upsert_customers(uuid, jsonb, boolean);
DROP FUNCTION woo.upsert_products(uuid, jsonb, boolean);
DROP FUNCTION woo.upsert_orders(uuid, jsonb, boolean);
DROP TYPE woo.upsert_result;
