-- Verify pg_woocommerce:extension_1_2 on pg
SELECT 'woo.upsert_orders(uuid, jsonb, boolean)'::regprocedure, 'woo.upsert_products(uuid, jsonb, boolean)'::regprocedure,
       'woo.upsert_customers(uuid, jsonb, boolean)'::regprocedure, 'woo.upsert_categories(uuid, jsonb, boolean)'::regprocedure,
       'woo.upsert_coupons(uuid, jsonb, boolean)'::regprocedure, 'woo.apply_webhook(uuid, text, jsonb)'::regprocedure,
       'woo.verify_webhook_signature(text, text, text)'::regprocedure, 'woo.sync_start(uuid, text)'::regprocedure,
       'woo.sync_finish(uuid, integer, text)'::regprocedure;
SELECT 1 / has_function_privilege('woo_app', 'woo.upsert_orders(uuid, jsonb, boolean)', 'EXECUTE')::int;
