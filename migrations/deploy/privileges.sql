-- Deploy pg_woocommerce:privileges to pg
-- Who may do what. woo_owner owns the tables; woo_app reads and writes them
-- (RLS narrows that to the bound store); woo_ai only reads, and never the
-- secrets: stores.api_key_hash, stores.settings and customers.email_hash.
BEGIN;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['stores', 'categories', 'products', 'customers', 'orders', 'order_items',
                             'coupons', 'saved_charts', 'conversations', 'sync_logs'] LOOP
        EXECUTE format('ALTER TABLE public.%I OWNER TO woo_owner', t);
        EXECUTE format('REVOKE ALL ON public.%I FROM PUBLIC', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON public.%I TO woo_app', t);
        IF t NOT IN ('stores', 'customers') THEN
            EXECUTE format('GRANT SELECT ON public.%I TO woo_ai', t);
        END IF;
    END LOOP;
END $$;

GRANT SELECT (id, store_url, wc_version, plan, connected_at, last_sync_at, is_active) ON public.stores TO woo_ai;
GRANT SELECT (id, store_id, wc_customer_id, display_name, total_spent, order_count, first_order_date,
              last_order_date, created_at) ON public.customers TO woo_ai;

GRANT USAGE ON SCHEMA woo TO woo_app, woo_ai;
GRANT EXECUTE ON FUNCTION woo.current_store() TO woo_app, woo_ai;
GRANT EXECUTE ON FUNCTION woo.set_store(uuid), woo.ai_query(text, integer),
                          woo.hash_email(text), woo.hash_email(text, boolean),
                          woo.normalize_email(text), woo.normalize_email(text, boolean) TO woo_app;
GRANT EXECUTE ON FUNCTION woo.create_ai_login(uuid, name, text) TO woo_owner;

-- Only the application binds a store (the parameter is superuser-only otherwise).
GRANT SET ON PARAMETER woo.store_id TO woo_app;

COMMIT;
