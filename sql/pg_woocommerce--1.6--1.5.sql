-- pg_woocommerce 1.6 -> 1.5. Each issue's part is delimited by "-- ==== issue N" markers.

\echo Use "ALTER EXTENSION pg_woocommerce UPDATE TO '1.5'" to load this file. \quit

-- ==== issue 14: dated refunds, canonical sales metrics, day-level rollup, AI context ====
-- (the sqitch revert of extension_1_6 drops the triggers and views that use these first)
DROP FUNCTION woo.ai_context(), woo.ai_context_jsonb(), woo.repair_analytics(uuid), woo._rebuild_sales_daily(uuid),
              woo.analytics_drift(uuid), woo.expected_sales_daily(uuid), woo._sales_daily_stores(), woo._sales_daily_refunds(),
              woo._sales_daily_items(), woo._sales_daily_orders(),
              woo._sales_daily_add(uuid[], date[], integer[], numeric[], numeric[], numeric[], numeric[], numeric[], numeric[]),
              woo.store_day_rules(), woo._store_rules(uuid[]), woo.upsert_refunds(uuid, integer, jsonb, boolean),
              woo._sync_order_refunds(uuid, uuid[], jsonb[]);

-- woo.purge_store as in 1.5 (no refunds, no rollup).
CREATE OR REPLACE FUNCTION woo.purge_store(store_id uuid) RETURNS TABLE (table_name text, rows_deleted bigint)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    t text;
    n bigint;
    login name;
BEGIN
    IF purge_store.store_id IS NULL THEN
        RAISE EXCEPTION 'woo.purge_store: store_id is required' USING ERRCODE = '22004';
    END IF;
    -- Locked first: a concurrent write of this store waits, then fails its foreign key.
    PERFORM 1 FROM public.stores s WHERE s.id = purge_store.store_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'woo.purge_store: no store %', purge_store.store_id USING ERRCODE = 'P0002';
    END IF;
    -- Referencing tables before the ones they reference.
    FOREACH t IN ARRAY ARRAY['woo.load_checkpoints', 'woo.ingest_rejects', 'public.order_items', 'public.orders',
                             'public.customers', 'public.products', 'public.categories', 'public.coupons',
                             'public.saved_charts', 'public.conversations', 'public.sync_logs'] LOOP
        EXECUTE format('DELETE FROM %s WHERE store_id = $1', t) USING purge_store.store_id;
        GET DIAGNOSTICS n = ROW_COUNT;
        table_name := t; rows_deleted := n;
        RETURN NEXT;
    END LOOP;
    DELETE FROM public.stores s WHERE s.id = purge_store.store_id;
    table_name := 'public.stores'; rows_deleted := 1;
    RETURN NEXT;
    n := 0;
    FOR login IN
        SELECT r.rolname FROM pg_catalog.pg_db_role_setting d JOIN pg_catalog.pg_roles r ON r.oid = d.setrole
         WHERE d.setdatabase = 0 AND NOT r.rolsuper
           AND ('woo.store_id=' || purge_store.store_id::text) = ANY (d.setconfig)
           AND pg_catalog.pg_has_role(r.oid, 'woo_ai', 'MEMBER')
         ORDER BY r.rolname
    LOOP
        EXECUTE format('DROP ROLE %I', login);
        n := n + 1;
    END LOOP;
    table_name := 'AI logins (roles dropped)'; rows_deleted := n;
    RETURN NEXT;
END $$;
COMMENT ON FUNCTION woo.purge_store(uuid) IS
    'Deletes every row of a store in every table and drops the AI logins pinned to it, in one transaction; returns rows per table (woo_owner)';
-- ==== end issue 14 ====
