-- pg_woocommerce 1.6 -> 1.7. Each issue's part is delimited by "-- ==== issue N" markers.

\echo Use "ALTER EXTENSION pg_woocommerce UPDATE TO '1.7'" to load this file. \quit

-- ==== issue 14: the rollup's triggers in C, one rollup write per woo.upsert_orders write ====
-- (the sqitch deploy of extension_1_7 drops 1.6's triggers first and creates 1.7's after)
DROP FUNCTION woo._sales_daily_orders(), woo._sales_daily_items(), woo._sales_daily_refunds(),
              woo._sales_daily_add(uuid[], date[], integer[], numeric[], numeric[], numeric[], numeric[], numeric[], numeric[]);

-- The rollup's trigger, in C (rollup.cpp): one function for the triggers on orders,
-- order_items and refunds (its argument names the table). Each firing turns the
-- rows it was given into signed per-(store, local day) deltas, reading orders, line
-- items and refunds by direct index probes (orders_pkey, order_items_order_id_hash,
-- refunds_order_id_hash: no plan, the same work at any size and whatever the
-- statistics say), and writes them with one INSERT ... ON CONFLICT; inside a write of
-- woo.upsert_orders, the deltas of its statements are gathered and written once by
-- woo._sales_daily_flush() at the end of the write.
CREATE FUNCTION woo._sales_daily_trigger() RETURNS trigger
    AS 'MODULE_PATHNAME', 'woo_sales_daily_trigger'
    LANGUAGE C VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION woo._sales_daily_trigger() IS
    'Internal trigger on public.orders, order_items and refunds (argument: the table): keeps public.sales_daily right in the writer''s transaction';

-- Writes and closes the deltas gathered during the current woo.upsert_orders write
-- (nothing when none are open). SECURITY DEFINER: public.sales_daily is read-only to
-- its callers. Called by woo.upsert_orders and by woo._rebuild_sales_daily.
CREATE FUNCTION woo._sales_daily_flush() RETURNS void
    AS 'MODULE_PATHNAME', 'woo_sales_daily_flush'
    LANGUAGE C VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION woo._sales_daily_flush() IS
    'Internal (woo.upsert_orders): writes the rollup deltas gathered during the current write';

-- Rebuilds a store's rollup from the raw tables (internal: no binding check). The
-- exclusive side of the store's advisory lock waits for the writers in flight and
-- holds new ones back until this transaction ends. Deltas gathered by a
-- woo.upsert_orders write in progress are written first (they were computed with
-- the day rules this rebuild may replace; the rebuild then recomputes their days).
CREATE OR REPLACE FUNCTION woo._rebuild_sales_daily(store_id uuid) RETURNS integer
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n integer;
BEGIN
    PERFORM woo._sales_daily_flush();
    PERFORM pg_advisory_xact_lock(hashtext('woo.sales_daily'), hashtext(store_id::text));
    DELETE FROM public.sales_daily t WHERE t.store_id = _rebuild_sales_daily.store_id;
    INSERT INTO public.sales_daily (store_id, day, slot, orders, items_sold, gross_sales, discounts, refunds, taxes, shipping)
    SELECT _rebuild_sales_daily.store_id, e.day, 0, e.orders, e.items_sold, e.gross_sales, e.discounts, e.refunds, e.taxes, e.shipping
      FROM woo.expected_sales_daily(_rebuild_sales_daily.store_id) e ORDER BY e.day;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

REVOKE ALL ON FUNCTION woo._sales_daily_trigger(), woo._sales_daily_flush() FROM PUBLIC;
-- ==== end issue 14 ====
