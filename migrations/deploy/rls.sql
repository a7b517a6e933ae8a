-- Deploy pg_woocommerce:rls to pg
-- Row-level security on every table, keyed on the bound store
-- (woo.current_store(), which raises when no store is bound). FORCEd, so the
-- owner is bound too; WITH CHECK on INSERT and UPDATE, so no row can be written
-- into, or moved to, another store. "(SELECT woo.current_store())" is computed
-- once per statement (an initPlan), so the store_id indexes are used.
BEGIN;

DO $$
DECLARE
    t text;
    k text;
BEGIN
    FOREACH t IN ARRAY ARRAY['stores', 'categories', 'products', 'customers', 'orders', 'order_items',
                             'coupons', 'saved_charts', 'conversations', 'sync_logs'] LOOP
        k := CASE t WHEN 'stores' THEN 'id' ELSE 'store_id' END;
        EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON public.%I FOR SELECT TO woo_app, woo_ai
                            USING (%I = (SELECT woo.current_store()))', t || '_select', t, k);
        EXECUTE format('CREATE POLICY %I ON public.%I FOR INSERT TO woo_app
                            WITH CHECK (%I = (SELECT woo.current_store()))', t || '_insert', t, k);
        EXECUTE format('CREATE POLICY %I ON public.%I FOR UPDATE TO woo_app
                            USING (%I = (SELECT woo.current_store()))
                            WITH CHECK (%I = (SELECT woo.current_store()))', t || '_update', t, k, k);
        EXECUTE format('CREATE POLICY %I ON public.%I FOR DELETE TO woo_app
                            USING (%I = (SELECT woo.current_store()))', t || '_delete', t, k);
    END LOOP;
END $$;

COMMIT;
