-- Verify pg_woocommerce:extension_1_1 on pg
SELECT 'woo.current_store()'::regprocedure, 'woo.set_store(uuid)'::regprocedure,
       'woo.ai_query(text, integer)'::regprocedure, 'woo.create_ai_login(uuid, name, text)'::regprocedure;
SELECT 1 / (extversion >= '1.1')::int FROM pg_extension WHERE extname = 'pg_woocommerce';
