-- Revert pg_woocommerce:privileges from pg
BEGIN;

REVOKE SET ON PARAMETER woo.store_id FROM woo_app;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA woo FROM woo_app, woo_ai, woo_owner;
REVOKE USAGE ON SCHEMA woo FROM woo_app, woo_ai;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['stores', 'categories', 'products', 'customers', 'orders', 'order_items',
                             'coupons', 'saved_charts', 'conversations', 'sync_logs'] LOOP
        EXECUTE format('REVOKE ALL ON public.%I FROM woo_app, woo_ai', t);
        EXECUTE format('ALTER TABLE public.%I OWNER TO CURRENT_USER', t);
    END LOOP;
END $$;

COMMIT;
