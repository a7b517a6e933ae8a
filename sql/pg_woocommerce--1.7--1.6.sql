-- pg_woocommerce 1.7 -> 1.6. Each issue's part is delimited by "-- ==== issue N" markers.

\echo Use "ALTER EXTENSION pg_woocommerce UPDATE TO '1.6'" to load this file. \quit

-- ==== issue 14: the rollup's triggers in plpgsql again (as in 1.6) ====
-- (the sqitch revert of extension_1_7 drops 1.7's triggers first and creates 1.6's after)
-- Rebuilds a store's rollup from the raw tables (internal: no binding check). The
-- exclusive side of the store's advisory lock waits for the writers in flight and
-- holds new ones back until this transaction ends.
CREATE OR REPLACE FUNCTION woo._rebuild_sales_daily(store_id uuid) RETURNS integer
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n integer;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('woo.sales_daily'), hashtext(store_id::text));
    DELETE FROM public.sales_daily t WHERE t.store_id = _rebuild_sales_daily.store_id;
    INSERT INTO public.sales_daily (store_id, day, slot, orders, items_sold, gross_sales, discounts, refunds, taxes, shipping)
    SELECT _rebuild_sales_daily.store_id, e.day, 0, e.orders, e.items_sold, e.gross_sales, e.discounts, e.refunds, e.taxes, e.shipping
      FROM woo.expected_sales_daily(_rebuild_sales_daily.store_id) e ORDER BY e.day;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

DROP FUNCTION woo._sales_daily_trigger(), woo._sales_daily_flush();

-- Adds signed deltas to the rollup, grouped by (store, day), in key order (concurrent
-- writers lock rows alike), in the writer's slot (backend pid mod 8: concurrent
-- writers of one store mostly write different rows). The caller (a trigger) holds the
-- shared side of each store's advisory lock, taken in store order and before it read the
-- store's day rules: a rebuild holds the exclusive side, so a writer either commits
-- before the rebuild reads the raw tables, or reads the rules the rebuild committed.
-- No SET search_path: executable by no role, called only from the SECURITY DEFINER
-- triggers, whose search_path is fixed (a SET would cost a GUC save and restore per call).
CREATE FUNCTION woo._sales_daily_add(store_ids uuid[], days date[], orders integer[], items numeric[], gross numeric[],
                                     discounts numeric[], refunds numeric[], taxes numeric[], shipping numeric[]) RETURNS void
    LANGUAGE plpgsql VOLATILE
    AS $$
BEGIN
    IF store_ids IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO public.sales_daily AS t (store_id, day, slot, orders, items_sold, gross_sales, discounts, refunds, taxes, shipping)
    SELECT u.s, u.d, (pg_backend_pid() % 8)::smallint, sum(u.o), sum(u.i), sum(u.g), sum(u.di), sum(u.r), sum(u.t), sum(u.sh)
      FROM unnest(store_ids, days, orders, items, gross, discounts, refunds, taxes, shipping) AS u(s, d, o, i, g, di, r, t, sh)
     GROUP BY u.s, u.d
    HAVING (sum(u.o), sum(u.i), sum(u.g), sum(u.di), sum(u.r), sum(u.t), sum(u.sh)) <> (0, 0, 0, 0, 0, 0, 0)
     ORDER BY u.s, u.d
    ON CONFLICT (store_id, day, slot) DO UPDATE
       SET orders = t.orders + EXCLUDED.orders, items_sold = t.items_sold + EXCLUDED.items_sold,
           gross_sales = t.gross_sales + EXCLUDED.gross_sales, discounts = t.discounts + EXCLUDED.discounts,
           refunds = t.refunds + EXCLUDED.refunds, taxes = t.taxes + EXCLUDED.taxes, shipping = t.shipping + EXCLUDED.shipping;
END $$;
COMMENT ON FUNCTION woo._sales_daily_add(uuid[], date[], integer[], numeric[], numeric[], numeric[], numeric[], numeric[], numeric[]) IS
    'Internal: adds signed per-day deltas to public.sales_daily';

-- Trigger on public.orders: AFTER INSERT and AFTER UPDATE per statement (transition
-- tables), BEFORE DELETE per row (the order's items and refunds are still there).
-- Every probe of orders, order_items and refunds is by id or order_id alone, on a unique
-- or hash index (LATERAL ... OFFSET 0), the store compared after it: the same plan at
-- any size and whatever the statistics say.
-- An order's own amounts count on its day while its status counts; when its day,
-- store or counting changes, its line items and refunds as stored move with it.
CREATE FUNCTION woo._sales_daily_orders() RETURNS trigger
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    a record;
    ids uuid[];  -- the stores of the rows (a variable: woo._store_rules is inlined only with plain arguments)
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_advisory_xact_lock_shared(hashtext('woo.sales_daily'), hashtext(OLD.store_id::text));  -- before the rules are read
        SELECT array_agg(x.s) AS s, array_agg(x.d) AS d, array_agg(x.o) AS o, array_agg(x.i) AS i, array_agg(x.g) AS g,
               array_agg(x.di) AS di, array_agg(x.r) AS r, array_agg(x.t) AS t, array_agg(x.sh) AS sh INTO a
          FROM woo._store_rules(ARRAY[OLD.store_id]) sr
         CROSS JOIN LATERAL (
                SELECT OLD.store_id AS s, (OLD.date_created AT TIME ZONE sr.time_zone)::date AS d, -1 AS o, 0::numeric AS i,
                       -(OLD.total - coalesce(OLD.tax_total, 0) - coalesce(OLD.shipping_total, 0) + coalesce(OLD.discount_total, 0)) AS g,
                       -coalesce(OLD.discount_total, 0) AS di, 0::numeric AS r, -coalesce(OLD.tax_total, 0) AS t,
                       -coalesce(OLD.shipping_total, 0) AS sh
                UNION ALL
                SELECT OLD.store_id, (OLD.date_created AT TIME ZONE sr.time_zone)::date, 0, -sum(it.quantity), 0, 0, 0, 0, 0
                  FROM public.order_items it WHERE it.order_id = OLD.id HAVING count(*) > 0
                UNION ALL
                SELECT OLD.store_id, (f.date_created AT TIME ZONE sr.time_zone)::date, 0, 0, 0, 0, -f.amount, 0, 0
                  FROM public.refunds f WHERE f.order_id = OLD.id) x
         WHERE OLD.status::text <> ALL (sr.excluded);
        PERFORM woo._sales_daily_add(a.s, a.d, a.o, a.i, a.g, a.di, a.r, a.t, a.sh);
        RETURN OLD;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM new_rows) THEN  -- (an upsert fires its INSERT and UPDATE triggers, one of them often empty)
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY(SELECT DISTINCT x.store_id FROM new_rows x);
        PERFORM pg_advisory_xact_lock_shared(hashtext('woo.sales_daily'), hashtext(k::text))  -- before the rules are read
           FROM (SELECT DISTINCT k FROM unnest(ids) AS k ORDER BY k) x;
        SELECT array_agg(n.store_id) AS s, array_agg((n.date_created AT TIME ZONE sr.time_zone)::date) AS d,
               array_agg(1) AS o, array_agg(0::numeric) AS i,
               array_agg(n.total - coalesce(n.tax_total, 0) - coalesce(n.shipping_total, 0) + coalesce(n.discount_total, 0)) AS g,
               array_agg(coalesce(n.discount_total, 0)::numeric) AS di, array_agg(0::numeric) AS r,
               array_agg(coalesce(n.tax_total, 0)::numeric) AS t, array_agg(coalesce(n.shipping_total, 0)::numeric) AS sh INTO a
          FROM new_rows n
          JOIN woo._store_rules(ids) sr ON sr.store_id = n.store_id
         WHERE n.status::text <> ALL (sr.excluded);
    ELSE
        ids := ARRAY(SELECT x.store_id FROM old_rows x UNION SELECT y.store_id FROM new_rows y);
        PERFORM pg_advisory_xact_lock_shared(hashtext('woo.sales_daily'), hashtext(k::text))  -- before the rules are read
           FROM (SELECT DISTINCT k FROM unnest(ids) AS k ORDER BY k) x;
        WITH ch AS (
            SELECT n.id, o.store_id AS os, (o.date_created AT TIME ZONE ro.time_zone)::date AS od, ro.time_zone AS otz,
                   o.status::text <> ALL (ro.excluded) AS oc,
                   o.total - coalesce(o.tax_total, 0) - coalesce(o.shipping_total, 0) + coalesce(o.discount_total, 0) AS og,
                   coalesce(o.discount_total, 0) AS odi, coalesce(o.tax_total, 0) AS ot, coalesce(o.shipping_total, 0) AS osh,
                   n.store_id AS ns, (n.date_created AT TIME ZONE rn.time_zone)::date AS nd, rn.time_zone AS ntz,
                   n.status::text <> ALL (rn.excluded) AS nc,
                   n.total - coalesce(n.tax_total, 0) - coalesce(n.shipping_total, 0) + coalesce(n.discount_total, 0) AS ng,
                   coalesce(n.discount_total, 0) AS ndi, coalesce(n.tax_total, 0) AS nt, coalesce(n.shipping_total, 0) AS nsh
              FROM old_rows o JOIN new_rows n ON n.id = o.id
              JOIN woo._store_rules(ids) ro ON ro.store_id = o.store_id
              JOIN woo._store_rules(ids) rn ON rn.store_id = n.store_id
             WHERE (o.store_id, o.date_created, o.status, o.total, o.tax_total, o.shipping_total, o.discount_total)
                   IS DISTINCT FROM (n.store_id, n.date_created, n.status, n.total, n.tax_total, n.shipping_total, n.discount_total)),
        sides AS (  -- each changed order: its old state taken away, its new state added
            SELECT ch.id, -1 AS sign, ch.os AS s, ch.od AS d, ch.otz AS tz, ch.og AS g, ch.odi AS di, ch.ot AS t, ch.osh AS sh,
                   (ch.os, ch.od, ch.oc) IS DISTINCT FROM (ch.ns, ch.nd, ch.nc) AS moves
              FROM ch WHERE ch.oc
            UNION ALL
            SELECT ch.id, 1, ch.ns, ch.nd, ch.ntz, ch.ng, ch.ndi, ch.nt, ch.nsh,
                   (ch.os, ch.od, ch.oc) IS DISTINCT FROM (ch.ns, ch.nd, ch.nc)
              FROM ch WHERE ch.nc),
        x AS (
            SELECT sides.s, sides.d, sides.sign AS o, 0::numeric AS i, sides.sign * sides.g AS g, sides.sign * sides.di AS di,
                   0::numeric AS r, sides.sign * sides.t AS t, sides.sign * sides.sh AS sh
              FROM sides
            UNION ALL
            SELECT sides.s, sides.d, 0, sides.sign * q.qty, 0, 0, 0, 0, 0
              FROM sides CROSS JOIN LATERAL (SELECT sum(it.quantity) AS qty FROM public.order_items it
                                              WHERE it.order_id = sides.id OFFSET 0) q
             WHERE sides.moves AND q.qty IS NOT NULL
            UNION ALL
            SELECT sides.s, (f.date_created AT TIME ZONE sides.tz)::date, 0, 0, 0, 0, sides.sign * f.amount, 0, 0
              FROM sides CROSS JOIN LATERAL (SELECT date_created, amount FROM public.refunds
                                              WHERE order_id = sides.id OFFSET 0) f
             WHERE sides.moves)
        SELECT array_agg(x.s) AS s, array_agg(x.d) AS d, array_agg(x.o) AS o, array_agg(x.i) AS i, array_agg(x.g) AS g,
               array_agg(x.di) AS di, array_agg(x.r) AS r, array_agg(x.t) AS t, array_agg(x.sh) AS sh INTO a
          FROM x;
    END IF;
    PERFORM woo._sales_daily_add(a.s, a.d, a.o, a.i, a.g, a.di, a.r, a.t, a.sh);
    RETURN NULL;
END $$;
COMMENT ON FUNCTION woo._sales_daily_orders() IS
    'Internal trigger on public.orders: keeps public.sales_daily right in the writer''s transaction';

-- Trigger on public.order_items (AFTER INSERT, UPDATE, DELETE, per statement): the
-- quantities count on their order's day while the order counts. An item whose
-- order is gone went with it (the order's BEFORE DELETE trigger took it away).
CREATE FUNCTION woo._sales_daily_items() RETURNS trigger
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    stores uuid[];
    order_ids uuid[];
    qty numeric[];  -- signed: what each order's items add (+) or take away (-)
    a record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(x.store_id), array_agg(x.order_id), array_agg(x.q) INTO stores, order_ids, qty
          FROM (SELECT n.store_id, n.order_id, sum(n.quantity) AS q FROM new_rows n GROUP BY n.store_id, n.order_id) x;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(x.store_id), array_agg(x.order_id), array_agg(x.q) INTO stores, order_ids, qty
          FROM (SELECT o.store_id, o.order_id, -sum(o.quantity) AS q FROM old_rows o GROUP BY o.store_id, o.order_id) x;
    ELSE
        SELECT array_agg(x.store_id), array_agg(x.order_id), array_agg(x.q) INTO stores, order_ids, qty
          FROM (SELECT y.store_id, y.order_id, sum(y.q) AS q
                  FROM old_rows o JOIN new_rows n ON n.id = o.id
                 CROSS JOIN LATERAL (VALUES (o.store_id, o.order_id, -o.quantity), (n.store_id, n.order_id, n.quantity)) AS y(store_id, order_id, q)
                 WHERE (o.store_id, o.order_id, o.quantity) IS DISTINCT FROM (n.store_id, n.order_id, n.quantity)
                 GROUP BY y.store_id, y.order_id) x;
    END IF;
    IF stores IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock_shared(hashtext('woo.sales_daily'), hashtext(k::text))  -- before the rules are read
       FROM (SELECT DISTINCT k FROM unnest(stores) AS k ORDER BY k) x;
    SELECT array_agg(c.st) AS s, array_agg((o.date_created AT TIME ZONE sr.time_zone)::date) AS d, array_agg(0) AS z,
           array_agg(c.q) AS i, array_agg(0::numeric) AS zn INTO a
      FROM unnest(stores, order_ids, qty) AS c(st, o, q)
     CROSS JOIN LATERAL (SELECT store_id, date_created, status FROM public.orders WHERE id = c.o OFFSET 0) o
      JOIN woo._store_rules(stores) sr ON sr.store_id = c.st
     WHERE o.store_id = c.st AND o.status::text <> ALL (sr.excluded);
    PERFORM woo._sales_daily_add(a.s, a.d, a.z, a.i, a.zn, a.zn, a.zn, a.zn, a.zn);
    RETURN NULL;
END $$;
COMMENT ON FUNCTION woo._sales_daily_items() IS
    'Internal trigger on public.order_items: keeps public.sales_daily.items_sold right in the writer''s transaction';

-- Trigger on public.refunds (AFTER INSERT, UPDATE, DELETE, per statement): each
-- refund counts on its own local day while its order counts.
CREATE FUNCTION woo._sales_daily_refunds() RETURNS trigger
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    signs integer[];
    stores uuid[];
    order_ids uuid[];
    dates timestamptz[];
    amounts numeric[];
    a record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(1), array_agg(n.store_id), array_agg(n.order_id), array_agg(n.date_created), array_agg(n.amount::numeric)
          INTO signs, stores, order_ids, dates, amounts FROM new_rows n;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(-1), array_agg(o.store_id), array_agg(o.order_id), array_agg(o.date_created), array_agg(o.amount::numeric)
          INTO signs, stores, order_ids, dates, amounts FROM old_rows o;
    ELSE
        SELECT array_agg(x.sign), array_agg(x.store_id), array_agg(x.order_id), array_agg(x.date_created), array_agg(x.amount)
          INTO signs, stores, order_ids, dates, amounts
          FROM old_rows o JOIN new_rows n ON n.id = o.id
         CROSS JOIN LATERAL (VALUES (-1, o.store_id, o.order_id, o.date_created, o.amount::numeric),
                                    (1, n.store_id, n.order_id, n.date_created, n.amount::numeric))
               AS x(sign, store_id, order_id, date_created, amount)
         WHERE (o.store_id, o.order_id, o.date_created, o.amount) IS DISTINCT FROM (n.store_id, n.order_id, n.date_created, n.amount);
    END IF;
    IF signs IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock_shared(hashtext('woo.sales_daily'), hashtext(k::text))  -- before the rules are read
       FROM (SELECT DISTINCT k FROM unnest(stores) AS k ORDER BY k) x;
    SELECT array_agg(u.st) AS s, array_agg((u.dc AT TIME ZONE sr.time_zone)::date) AS d, array_agg(0) AS z,
           array_agg(u.s * u.amt) AS r, array_agg(0::numeric) AS zn INTO a
      FROM unnest(signs, stores, order_ids, dates, amounts) AS u(s, st, o, dc, amt)
     CROSS JOIN LATERAL (SELECT store_id, status FROM public.orders WHERE id = u.o OFFSET 0) o
      JOIN woo._store_rules(stores) sr ON sr.store_id = u.st
     WHERE o.store_id = u.st AND o.status::text <> ALL (sr.excluded);
    PERFORM woo._sales_daily_add(a.s, a.d, a.z, a.zn, a.zn, a.zn, a.r, a.zn, a.zn);
    RETURN NULL;
END $$;
COMMENT ON FUNCTION woo._sales_daily_refunds() IS
    'Internal trigger on public.refunds: keeps public.sales_daily.refunds right in the writer''s transaction';

REVOKE ALL ON FUNCTION woo._sales_daily_add(uuid[], date[], integer[], numeric[], numeric[], numeric[], numeric[], numeric[], numeric[]),
                       woo._sales_daily_orders(), woo._sales_daily_items(), woo._sales_daily_refunds() FROM PUBLIC;
-- ==== end issue 14 ====
