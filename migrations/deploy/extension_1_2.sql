-- Deploy pg_woocommerce:extension_1_2 to pg
-- pg_woocommerce 1.2: ingestion (woo.upsert_*, woo.apply_webhook,
-- woo.verify_webhook_signature, woo.sync_start/finish), for the application.
BEGIN;

ALTER EXTENSION pg_woocommerce UPDATE TO '1.2';

GRANT EXECUTE ON FUNCTION woo.upsert_orders(uuid, jsonb, boolean), woo.upsert_products(uuid, jsonb, boolean),
                          woo.upsert_customers(uuid, jsonb, boolean), woo.upsert_categories(uuid, jsonb, boolean),
                          woo.upsert_coupons(uuid, jsonb, boolean), woo.apply_webhook(uuid, text, jsonb),
                          woo.verify_webhook_signature(text, text, text), woo.sync_start(uuid, text),
                          woo.sync_finish(uuid, integer, text) TO woo_app;

COMMIT;
