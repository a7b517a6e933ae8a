-- Revert pg_woocommerce:rls from pg
BEGIN;

DO $$
DECLARE
    t text;
    c text;
BEGIN
    FOREACH t IN ARRAY ARRAY['stores', 'categories', 'products', 'customers', 'orders', 'order_items',
                             'coupons', 'saved_charts', 'conversations', 'sync_logs'] LOOP
        FOREACH c IN ARRAY ARRAY['select', 'insert', 'update', 'delete'] LOOP
            EXECUTE format('DROP POLICY %I ON public.%I', t || '_' || c, t);
        END LOOP;
        EXECUTE format('ALTER TABLE public.%I NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY', t);
    END LOOP;
END $$;

COMMIT;
