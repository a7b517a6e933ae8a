-- pg_woocommerce 1.5 -> 1.6. Each issue's part is delimited by "-- ==== issue N" markers.

\echo Use "ALTER EXTENSION pg_woocommerce UPDATE TO '1.6'" to load this file. \quit

-- ==== issue 14: dated refunds, canonical sales metrics, day-level rollup, AI context ====
--
-- The tables (public.refunds, public.sales_daily), the triggers that call the
-- functions below and the canonical views are sqitch migrations (refunds,
-- sales_daily, extension_1_6): the extension owns functions only.
--
-- Definitions (after WooCommerce Analytics; README, "Sales analytics"). An order
-- counts when its status is not one of its store's excluded statuses
-- (woo.excluded_statuses). Its day is the store-local date of date_created (the
-- store's settings.timezone, UTC when unset). A refund counts when its order counts,
-- on the store-local date of the refund's own date_created.
--   gross_sales = total - tax_total - shipping_total + discount_total (a NULL amount is 0)
--   net_sales   = gross_sales - discounts - refunds

-- Refunds -------------------------------------------------------------------------------

-- Internal, called by woo.upsert_orders once per chunk: the refund rows of the
-- written orders become their payloads' refunds[] (order_ids[i] <-> refunds[i], a
-- JSON array or NULL). refunds[] carries no date: a new row is dated at the order's
-- date_modified (else date_created), date_exact false; a stored row keeps its date
-- (exact when a /refunds page gave it). An entry without a positive integer id is
-- keyed -(its position + 1). amount = -total (positive for WooCommerce's negative totals);
-- reason = "reason" (or "refund", as the REST documentation's examples name it).
CREATE FUNCTION woo._sync_order_refunds(store_id uuid, order_ids uuid[], refunds jsonb[]) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l_orders uuid[];
    l_keys integer[];
    l_amounts numeric[];
    l_reasons text[];
BEGIN
    SELECT array_agg(x.o ORDER BY x.o, x.wc), array_agg(x.wc ORDER BY x.o, x.wc), array_agg(x.amount ORDER BY x.o, x.wc),
           array_agg(x.reason ORDER BY x.o, x.wc)
      INTO l_orders, l_keys, l_amounts, l_reasons
      FROM (SELECT DISTINCT ON (u.o, e.wc) u.o, e.wc, e.amount, e.reason
              FROM unnest(order_ids, refunds) AS u(o, j)
             CROSS JOIN LATERAL (
                    SELECT CASE WHEN jsonb_typeof(v->'id') = 'number' AND (v->>'id') ~ '^[0-9]{1,9}$' AND (v->>'id')::integer > 0
                                THEN (v->>'id')::integer ELSE -i::integer END AS wc,
                           -(nullif(btrim(v->>'total'), ''))::numeric(12,2) AS amount,
                           woo.redact_emails(CASE WHEN jsonb_typeof(v->'reason') = 'string' THEN v->>'reason'
                                                  WHEN jsonb_typeof(v->'refund') = 'string' THEN v->>'refund' END) AS reason
                      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(u.j) = 'array' THEN u.j ELSE '[]' END) WITH ORDINALITY AS a(v, i)
                     WHERE jsonb_typeof(v) = 'object' AND nullif(btrim(v->>'total'), '') IS NOT NULL) e
             ORDER BY u.o, e.wc, e.amount) x;
    -- Rows no longer listed go. Each order's rows are found by one probe of the hash index
    -- on order_id (the store is checked after the probe: with store_id in the probe, a
    -- statistics-dependent plan may read the store's rows through a store_id index).
    DELETE FROM public.refunds r
     WHERE r.id = ANY (ARRAY(
            SELECT f.id FROM (SELECT DISTINCT u.o FROM unnest(order_ids) AS u(o)) k
             CROSS JOIN LATERAL (SELECT x.id, x.store_id, x.order_id, x.wc_refund_id FROM public.refunds x
                                  WHERE x.order_id = k.o OFFSET 0) f
             WHERE f.store_id = _sync_order_refunds.store_id
               AND NOT EXISTS (SELECT 1 FROM unnest(l_orders, l_keys) AS l(o, wc) WHERE l.o = f.order_id AND l.wc = f.wc_refund_id)));
    IF l_orders IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO public.refunds AS r (store_id, order_id, wc_refund_id, amount, reason, date_created, date_exact)
    SELECT _sync_order_refunds.store_id, l.o, l.wc, l.amount, l.reason, coalesce(o.date_modified, o.date_created), false
      FROM unnest(l_orders, l_keys, l_amounts, l_reasons) AS l(o, wc, amount, reason)
     CROSS JOIN LATERAL (SELECT x.store_id, x.date_modified, x.date_created FROM public.orders x WHERE x.id = l.o OFFSET 0) o
     WHERE o.store_id = _sync_order_refunds.store_id
     ORDER BY l.o, l.wc
    ON CONFLICT ON CONSTRAINT refunds_store_order_refund_key DO UPDATE
       SET amount = EXCLUDED.amount, reason = EXCLUDED.reason
     WHERE (r.amount, r.reason) IS DISTINCT FROM (EXCLUDED.amount, EXCLUDED.reason);
END $$;
COMMENT ON FUNCTION woo._sync_order_refunds(uuid, uuid[], jsonb[]) IS
    'Internal (woo.upsert_orders): the refund rows of the written orders from their refunds[]';

-- One /orders/<id>/refunds page (an array, or {"data": [...]}) or one refund (an
-- object): each refund is upserted by its id with its exact date (date_created_gmt,
-- else date_created in the store's time zone), its amount and reason (e-mail
-- addresses hashed); refunds not on the page are kept (pages are partial). Then
-- orders.refunded_total is the sum of the order's rows, and its customer's metrics follow.
-- Strict: the first bad refund fails the call, naming record and field (22xxx).
-- Lenient: a bad refund goes to woo.ingest_rejects (resource 'refunds') and the rest is applied.
CREATE FUNCTION woo.upsert_refunds(store_id uuid, wc_order_id integer, payload jsonb, strict boolean DEFAULT true)
    RETURNS woo.upsert_result
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    res woo.upsert_result := ROW(0, 0, 0, 0, 0, 0);
    st record;
    ord record;
    rec jsonb;
    i integer := -1;
    wc integer;
    amt numeric(12,2);
    dc timestamptz;
    rsn text;
    prev record;
    msg text;
    state text;
    refunded numeric(12,2);
BEGIN
    IF store_id IS NULL OR wc_order_id IS NULL OR payload IS NULL OR strict IS NULL THEN
        RAISE EXCEPTION 'woo.upsert_refunds: store_id, wc_order_id, payload and strict are required' USING ERRCODE = '22004';
    END IF;
    IF store_id IS DISTINCT FROM woo.current_store() THEN
        RAISE EXCEPTION 'store_id % is not the store bound to this transaction', store_id USING ERRCODE = '42501',
            HINT = 'Bind it first: SET LOCAL woo.store_id = ''<store uuid>''.';
    END IF;
    SELECT coalesce(s.settings->>'timezone', 'UTC') AS tz, s.is_active IS TRUE AS active INTO st
      FROM public.stores s WHERE s.id = upsert_refunds.store_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'store % does not exist', store_id USING ERRCODE = '23503';
    ELSIF NOT st.active THEN
        RAISE EXCEPTION 'store % is deactivated: ingestion and webhooks are refused', store_id USING ERRCODE = '55000',
            HINT = 'Its data stays readable; set stores.is_active = true to resume syncing.';
    END IF;
    IF jsonb_typeof(payload) = 'object' AND jsonb_typeof(payload->'data') = 'array' AND NOT payload ? 'id' THEN
        payload := payload->'data';  -- a page wrapped as {"data": [...]}
    END IF;
    IF jsonb_typeof(payload) NOT IN ('array', 'object') THEN
        RAISE EXCEPTION 'refunds: payload must be a JSON object or an array of objects, not a %', jsonb_typeof(payload)
            USING ERRCODE = '22023';
    END IF;
    SELECT o.id, o.customer_id INTO ord FROM public.orders o
     WHERE o.store_id = upsert_refunds.store_id AND o.wc_order_id = upsert_refunds.wc_order_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'refunds: order % is not stored in this store', wc_order_id USING ERRCODE = '23503',
            HINT = 'Upsert the order (woo.upsert_orders) before its refunds.';
    END IF;
    FOR rec IN SELECT v FROM jsonb_array_elements(CASE jsonb_typeof(payload) WHEN 'array' THEN payload
                                                   ELSE jsonb_build_array(payload) END) AS e(v) LOOP
        i := i + 1;
        wc := NULL;
        BEGIN
            IF jsonb_typeof(rec) <> 'object' THEN
                RAISE EXCEPTION 'refunds[%]: not a JSON object but a %', i, jsonb_typeof(rec) USING ERRCODE = '22023';
            END IF;
            IF coalesce(jsonb_typeof(rec->'id'), '') <> 'number' OR (rec->>'id') !~ '^[0-9]{1,10}$'
               OR (rec->>'id')::bigint NOT BETWEEN 1 AND 2147483647 THEN
                RAISE EXCEPTION 'refunds[%]: id must be a positive integer', i USING ERRCODE = '22023';
            END IF;
            wc := (rec->>'id')::integer;
            IF coalesce(jsonb_typeof(rec->'amount'), '') NOT IN ('string', 'number')
               OR btrim(rec->>'amount') !~ '^[-+]?[0-9]+(\.[0-9]+)?$' THEN
                RAISE EXCEPTION 'refunds[%] (id %): amount must be a decimal number, not %', i, wc,
                    coalesce(left(woo.redact_emails(rec->>'amount'), 40), 'missing') USING ERRCODE = '22023';
            END IF;
            BEGIN
                amt := abs(btrim(rec->>'amount')::numeric(12,2));
            EXCEPTION WHEN numeric_value_out_of_range THEN
                RAISE EXCEPTION 'refunds[%] (id %): amount % does not fit numeric(12,2)', i, wc, left(rec->>'amount', 40)
                    USING ERRCODE = '22003';
            END;
            IF jsonb_typeof(rec->'date_created_gmt') = 'string' THEN
                BEGIN
                    dc := ((rec->>'date_created_gmt')::timestamp) AT TIME ZONE 'UTC';
                EXCEPTION WHEN data_exception THEN
                    RAISE EXCEPTION 'refunds[%] (id %): date_created_gmt "%" is not a date', i, wc,
                        left(woo.redact_emails(rec->>'date_created_gmt'), 40) USING ERRCODE = '22007';
                END;
            ELSIF jsonb_typeof(rec->'date_created') = 'string' THEN
                BEGIN
                    dc := ((rec->>'date_created')::timestamp) AT TIME ZONE st.tz;
                EXCEPTION WHEN data_exception THEN
                    RAISE EXCEPTION 'refunds[%] (id %): date_created "%" is not a date', i, wc,
                        left(woo.redact_emails(rec->>'date_created'), 40) USING ERRCODE = '22007';
                END;
            ELSE
                RAISE EXCEPTION 'refunds[%] (id %): date_created_gmt is required', i, wc USING ERRCODE = '22023';
            END IF;
            IF rec ? 'reason' AND jsonb_typeof(rec->'reason') NOT IN ('string', 'null') THEN
                RAISE EXCEPTION 'refunds[%] (id %): reason must be a string', i, wc USING ERRCODE = '22023';
            END IF;
            rsn := woo.redact_emails(rec->>'reason');
        EXCEPTION WHEN data_exception THEN  -- bad input (class 22) only; anything else fails the call
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
            IF strict THEN
                RAISE EXCEPTION '%', msg USING ERRCODE = state;
            END IF;
            INSERT INTO woo.ingest_rejects (store_id, resource, wc_id, payload, error, sqlstate)
            VALUES (upsert_refunds.store_id, 'refunds', wc, woo._redact_emails_jsonb(rec), msg, state);
            res.rejected := res.rejected + 1;
            CONTINUE;
        END;
        SELECT r.amount, r.reason, r.date_created, r.date_exact INTO prev FROM public.refunds r
         WHERE r.store_id = upsert_refunds.store_id AND r.order_id = ord.id AND r.wc_refund_id = wc;
        IF NOT FOUND THEN
            INSERT INTO public.refunds (store_id, order_id, wc_refund_id, amount, reason, date_created, date_exact)
            VALUES (upsert_refunds.store_id, ord.id, wc, amt, rsn, dc, true);
            res.inserted := res.inserted + 1;
        ELSIF (prev.amount, prev.reason, prev.date_created, prev.date_exact) IS NOT DISTINCT FROM (amt, rsn, dc, true) THEN
            res.unchanged := res.unchanged + 1;
        ELSE
            UPDATE public.refunds r SET amount = amt, reason = rsn, date_created = dc, date_exact = true
             WHERE r.store_id = upsert_refunds.store_id AND r.order_id = ord.id AND r.wc_refund_id = wc;
            res.updated := res.updated + 1;
        END IF;
    END LOOP;
    IF res.inserted + res.updated > 0 THEN
        SELECT coalesce(sum(r.amount), 0) INTO refunded FROM public.refunds r
         WHERE r.store_id = upsert_refunds.store_id AND r.order_id = ord.id;
        -- payload_hash NULL: the order's next delivery is applied (its refunds[] then rules again).
        UPDATE public.orders o SET refunded_total = refunded, payload_hash = NULL
         WHERE o.store_id = upsert_refunds.store_id AND o.id = ord.id AND o.refunded_total IS DISTINCT FROM refunded;
        IF FOUND AND ord.customer_id IS NOT NULL THEN
            PERFORM woo.recompute_customer_metrics(upsert_refunds.store_id, ARRAY[ord.customer_id]);
        END IF;
    END IF;
    RETURN res;
END $$;
COMMENT ON FUNCTION woo.upsert_refunds(uuid, integer, jsonb, boolean) IS
    'Upserts the refunds of one order from a /orders/<id>/refunds page (or one refund) with their exact dates; refunded_total = their sum';

-- The day-level rollup (public.sales_daily) --------------------------------------------

-- The day rules of the given stores: the time zone that cuts their days and the
-- statuses that do not count (the rule of woo.excluded_statuses, written as one
-- expression so that this SQL function is inlined into the statements that call it:
-- no function call per trigger; pgTAP 102 compares the two).
CREATE FUNCTION woo._store_rules(store_ids uuid[]) RETURNS TABLE (store_id uuid, time_zone text, excluded text[])
    LANGUAGE sql STABLE
    AS $$
    SELECT s.id, coalesce(s.settings->>'timezone', 'UTC'),
           CASE WHEN jsonb_typeof(s.settings->'excluded_statuses') = 'array' AND jsonb_array_length(s.settings->'excluded_statuses') > 0
                THEN ARRAY(SELECT jsonb_array_elements_text(s.settings->'excluded_statuses'))
                ELSE ARRAY['pending', 'failed', 'cancelled', 'trash', 'checkout-draft'] END
      FROM public.stores s
     WHERE s.id = ANY (store_ids)
$$;
COMMENT ON FUNCTION woo._store_rules(uuid[]) IS
    'Internal: time zone and excluded statuses of the given stores';

-- The bound store's day rules, for the canonical views (woo_ai cannot read stores.settings).
CREATE FUNCTION woo.store_day_rules() RETURNS TABLE (time_zone text, excluded_statuses text[])
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN QUERY SELECT r.time_zone, r.excluded FROM woo._store_rules(ARRAY[woo.current_store()]) r;
END $$;
COMMENT ON FUNCTION woo.store_day_rules() IS
    'The bound store''s time zone (days are cut in it) and excluded statuses (not counted in sales)';

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

-- The rollup as the raw tables say it is, for one store.
CREATE FUNCTION woo.expected_sales_daily(store_id uuid)
    RETURNS TABLE (day date, orders integer, items_sold numeric, gross_sales numeric, discounts numeric,
                   refunds numeric, taxes numeric, shipping numeric)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN QUERY
    WITH sr AS MATERIALIZED (SELECT * FROM woo._store_rules(ARRAY[expected_sales_daily.store_id])),
    o AS MATERIALIZED (
        SELECT o.id, (o.date_created AT TIME ZONE sr.time_zone)::date AS day, sr.time_zone,
               o.total - coalesce(o.tax_total, 0) - coalesce(o.shipping_total, 0) + coalesce(o.discount_total, 0) AS g,
               coalesce(o.discount_total, 0) AS di, coalesce(o.tax_total, 0) AS t, coalesce(o.shipping_total, 0) AS sh
          FROM public.orders o, sr
         WHERE o.store_id = expected_sales_daily.store_id AND o.status::text <> ALL (sr.excluded)),
    x AS (
        SELECT o.day, 1 AS n, 0::numeric AS i, o.g, o.di, 0::numeric AS r, o.t, o.sh FROM o
        UNION ALL
        SELECT o.day, 0, it.quantity, 0, 0, 0, 0, 0
          FROM o JOIN public.order_items it ON it.order_id = o.id AND it.store_id = expected_sales_daily.store_id
        UNION ALL
        SELECT (f.date_created AT TIME ZONE o.time_zone)::date, 0, 0, 0, 0, f.amount, 0, 0
          FROM o JOIN public.refunds f ON f.order_id = o.id AND f.store_id = expected_sales_daily.store_id)
    SELECT x.day, sum(x.n)::integer, sum(x.i), sum(x.g), sum(x.di), sum(x.r), sum(x.t), sum(x.sh)
      FROM x GROUP BY x.day;
END $$;
COMMENT ON FUNCTION woo.expected_sales_daily(uuid) IS
    'The day-level sales of a store as the raw tables say they are (what public.sales_daily must hold, summed over slots)';

-- What differs between the rollup and the raw tables; empty when all is right.
CREATE FUNCTION woo.analytics_drift(store_id uuid)
    RETURNS TABLE (day date, metric text, stored numeric, expected numeric)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF store_id IS NULL THEN
        RAISE EXCEPTION 'woo.analytics_drift: store_id is required' USING ERRCODE = '22004';
    END IF;
    IF store_id IS DISTINCT FROM woo.current_store() THEN
        RAISE EXCEPTION 'store_id % is not the store bound to this transaction', store_id USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    WITH s AS (SELECT t.day, sum(t.orders)::numeric AS orders, sum(t.items_sold) AS items_sold, sum(t.gross_sales) AS gross_sales,
                      sum(t.discounts) AS discounts, sum(t.refunds) AS refunds, sum(t.taxes) AS taxes, sum(t.shipping) AS shipping
                 FROM public.sales_daily t WHERE t.store_id = analytics_drift.store_id GROUP BY t.day),
    e AS (SELECT * FROM woo.expected_sales_daily(analytics_drift.store_id))
    SELECT coalesce(s.day, e.day), v.metric, v.a, v.b
      FROM s FULL JOIN e ON e.day = s.day
     CROSS JOIN LATERAL (VALUES ('orders', coalesce(s.orders, 0), coalesce(e.orders, 0)::numeric),
                                ('items_sold', coalesce(s.items_sold, 0), coalesce(e.items_sold, 0)),
                                ('gross_sales', coalesce(s.gross_sales, 0), coalesce(e.gross_sales, 0)),
                                ('discounts', coalesce(s.discounts, 0), coalesce(e.discounts, 0)),
                                ('refunds', coalesce(s.refunds, 0), coalesce(e.refunds, 0)),
                                ('taxes', coalesce(s.taxes, 0), coalesce(e.taxes, 0)),
                                ('shipping', coalesce(s.shipping, 0), coalesce(e.shipping, 0))) AS v(metric, a, b)
     WHERE v.a <> v.b
     ORDER BY 1, 2;
END $$;
COMMENT ON FUNCTION woo.analytics_drift(uuid) IS
    'Day-level rollup values (public.sales_daily) that differ from what the raw tables say; empty when all is right';

-- Rebuilds a store's rollup from the raw tables (internal: no binding check). The
-- exclusive side of the store's advisory lock waits for the writers in flight and
-- holds new ones back until this transaction ends.
CREATE FUNCTION woo._rebuild_sales_daily(store_id uuid) RETURNS integer
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
COMMENT ON FUNCTION woo._rebuild_sales_daily(uuid) IS 'Internal: rebuilds a store''s public.sales_daily rows from the raw tables';

CREATE FUNCTION woo.repair_analytics(store_id uuid) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF store_id IS NULL THEN
        RAISE EXCEPTION 'woo.repair_analytics: store_id is required' USING ERRCODE = '22004';
    END IF;
    IF store_id IS DISTINCT FROM woo.current_store() THEN
        RAISE EXCEPTION 'store_id % is not the store bound to this transaction', store_id USING ERRCODE = '42501';
    END IF;
    RETURN woo._rebuild_sales_daily(store_id);
END $$;
COMMENT ON FUNCTION woo.repair_analytics(uuid) IS
    'Rebuilds the bound store''s day-level rollup (public.sales_daily) from the raw tables; returns the day rows written';

-- Trigger on public.stores (AFTER UPDATE OF settings, per row, when the time zone or
-- the excluded statuses change): that store's rollup is rebuilt.
CREATE FUNCTION woo._sales_daily_stores() RETURNS trigger
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM woo._rebuild_sales_daily(NEW.id);
    RETURN NULL;
END $$;
COMMENT ON FUNCTION woo._sales_daily_stores() IS
    'Internal trigger on public.stores: rebuilds the rollup of a store whose time zone or excluded statuses changed';

-- Purge: the refunds and the rollup rows go too.
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
    -- Referencing tables before the ones they reference; the rollup after the rows it sums.
    FOREACH t IN ARRAY ARRAY['woo.load_checkpoints', 'woo.ingest_rejects', 'public.refunds', 'public.order_items', 'public.orders',
                             'public.sales_daily', 'public.customers', 'public.products', 'public.categories', 'public.coupons',
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

-- The AI context map ---------------------------------------------------------------------
--
-- What a model needs to write SQL for the bound store, generated from the catalog at
-- call time: the relations of schema public woo_ai can read (the canonical views
-- first; tables whose comment starts with "Internal" and the application's own
-- tables left out) with the columns woo_ai can read (types, comments; "Internal:"
-- columns left out), the metric definitions, the store's currency, time zone and
-- excluded statuses, and example questions whose SQL woo.ai_query accepts.
CREATE FUNCTION woo.ai_context_jsonb() RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    store uuid := woo.current_store();
    rules record;
    cur text;
    rels jsonb;
BEGIN
    SELECT * INTO rules FROM woo.store_day_rules();
    SELECT o.currency INTO cur FROM public.orders o WHERE o.store_id = store ORDER BY o.date_created DESC LIMIT 1;
    SELECT coalesce(jsonb_agg(jsonb_build_object('name', r.name, 'kind', r.kind, 'comment', r.comment, 'columns', r.columns)
                              ORDER BY r.ord, r.name), '[]') INTO rels FROM (
        SELECT c.relname::text AS name,
               CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END AS kind,
               coalesce(array_position(ARRAY['metrics_daily', 'metrics_product_daily', 'metrics_coupon_daily', 'customer_segments'],
                                       c.relname::text), 10) AS ord,
               obj_description(c.oid, 'pg_class') AS comment,
               (SELECT jsonb_agg(jsonb_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                                                    'comment', col_description(c.oid, a.attnum)) ORDER BY a.attnum)
                  FROM pg_attribute a
                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                   AND has_column_privilege('woo_ai', c.oid, a.attnum, 'SELECT')
                   AND coalesce(col_description(c.oid, a.attnum), '') NOT LIKE 'Internal%') AS columns
          FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v')
           AND has_any_column_privilege('woo_ai', c.oid, 'SELECT')
           AND coalesce(obj_description(c.oid, 'pg_class'), '') NOT LIKE 'Internal%'
           AND c.relname NOT IN ('saved_charts', 'conversations', 'sync_logs')) r
     WHERE r.columns IS NOT NULL;
    RETURN jsonb_build_object(
        'store', jsonb_build_object('id', store, 'time_zone', rules.time_zone, 'currency', cur,
                                    'excluded_statuses', to_jsonb(rules.excluded_statuses)),
        'rules', jsonb_build_array(
            'Write exactly one read-only SELECT; it runs as role woo_ai and sees only this store''s rows (no store_id filter needed).',
            'Answer sales questions from the canonical views (metrics_daily, metrics_product_daily, metrics_coupon_daily, customer_segments): they apply the store''s time zone, its excluded statuses and refunds on the refund''s own day.',
            'Filter and group days by the views'' day column (a store-local calendar date); never cut days from timestamptz columns in UTC.',
            'Amounts are numeric in the store''s currency; orders.total includes tax and shipping, net_sales does not.'),
        'metrics', jsonb_build_array(
            'counted order: status not in the excluded statuses; its day is the store-local date of orders.date_created',
            'gross_sales = total - tax_total - shipping_total + discount_total (before coupons and refunds)',
            'net_sales = gross_sales - discounts - refunds (refunds on the store-local day they were made, when their order counts)',
            'total_sales = net_sales + taxes + shipping',
            'average_order_value = (gross_sales - discounts) / orders; over a period sum(gross_sales - discounts) / sum(orders)',
            'new_customers: customers whose first counted order is on that day; returning_customers: customers with a counted order that day and an earlier one',
            'items_sold, units = sum of line item quantities; product net_revenue = line totals after discounts, tax excluded',
            'customer segments: RFM quintiles 1-5 of last order date, order count and lifetime spend'),
        'relations', rels,
        'examples', jsonb_build_array(
            jsonb_build_object('question', 'Net sales per day over the last 30 days with data',
                'sql', 'SELECT day, orders, net_sales FROM metrics_daily WHERE day > (SELECT max(day) FROM metrics_daily) - 30 ORDER BY day'),
            jsonb_build_object('question', 'Revenue and average order value per month',
                'sql', 'SELECT date_trunc(''month'', day)::date AS month, sum(net_sales) AS net_sales, round(sum(gross_sales - discounts) / nullif(sum(orders), 0), 2) AS aov FROM metrics_daily GROUP BY 1 ORDER BY 1'),
            jsonb_build_object('question', 'New and returning customers per week',
                'sql', 'SELECT date_trunc(''week'', day)::date AS week, sum(new_customers) AS new, sum(returning_customers) AS returning FROM metrics_daily GROUP BY 1 ORDER BY 1'),
            jsonb_build_object('question', 'Top 10 products by units sold',
                'sql', 'SELECT product_name, sum(units) AS units, sum(net_revenue) AS revenue FROM metrics_product_daily GROUP BY product_name ORDER BY units DESC LIMIT 10'),
            jsonb_build_object('question', 'Which coupons gave the most discount?',
                'sql', 'SELECT coupon_code, sum(orders) AS orders, sum(discount) AS discount FROM metrics_coupon_daily GROUP BY coupon_code ORDER BY discount DESC'),
            jsonb_build_object('question', 'How many customers are in each segment, and what do they spend?',
                'sql', 'SELECT segment, count(*) AS customers, sum(total_spent) AS spent FROM customer_segments GROUP BY segment ORDER BY spent DESC')));
END $$;
COMMENT ON FUNCTION woo.ai_context_jsonb() IS
    'The AI context map of the bound store as jsonb: store, rules, metric definitions, readable relations and columns, examples';

CREATE FUNCTION woo.ai_context() RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    j jsonb := woo.ai_context_jsonb();
    out text;
    r jsonb;
    c jsonb;
    x jsonb;
    limit_bytes constant integer := 16384;
BEGIN
    out := format(E'# Data context for the bound store\n'
                  'Time zone: %s (days are cut in it; every timestamptz column is stored in UTC)\n'
                  'Currency: %s\nExcluded statuses (never counted in sales): %s\n\n## Rules\n',
                  j->'store'->>'time_zone', coalesce(j->'store'->>'currency', 'unknown (no orders yet)'),
                  (SELECT string_agg(v, ', ') FROM jsonb_array_elements_text(j->'store'->'excluded_statuses') v));
    FOR x IN SELECT * FROM jsonb_array_elements(j->'rules') LOOP out := out || '- ' || (x #>> '{}') || E'\n'; END LOOP;
    out := out || E'\n## Metric definitions\n';
    FOR x IN SELECT * FROM jsonb_array_elements(j->'metrics') LOOP out := out || '- ' || (x #>> '{}') || E'\n'; END LOOP;
    out := out || E'\n## Examples (SQL that woo.ai_query accepts)\n';
    FOR x IN SELECT * FROM jsonb_array_elements(j->'examples') LOOP
        out := out || 'Q: ' || (x->>'question') || E'\nSQL: ' || (x->>'sql') || E'\n';
    END LOOP;
    out := out || E'\n## Relations (canonical views first)\n';
    FOR r IN SELECT * FROM jsonb_array_elements(j->'relations') LOOP
        out := out || format(E'\n### %s (%s)%s\n', r->>'name', r->>'kind', coalesce(': ' || (r->>'comment'), ''));
        FOR c IN SELECT * FROM jsonb_array_elements(r->'columns') LOOP
            out := out || format(E'- %s %s%s\n', c->>'name', c->>'type', coalesce(': ' || (c->>'comment'), ''));
        END LOOP;
    END LOOP;
    IF octet_length(out) > limit_bytes THEN  -- cut at a line end, and say so
        out := left(out, limit_bytes - 200);
        out := left(out, length(out) - position(E'\n' IN reverse(out)) + 1) || E'(truncated at 16 KB)\n';
    END IF;
    RETURN out;
END $$;
COMMENT ON FUNCTION woo.ai_context() IS
    'The AI context map of the bound store as text (at most 16 KB): time zone, currency, excluded statuses, rules, metric definitions, examples, readable relations and columns with comments';

REVOKE ALL ON FUNCTION woo._sync_order_refunds(uuid, uuid[], jsonb[]), woo.upsert_refunds(uuid, integer, jsonb, boolean),
                       woo._store_rules(uuid[]), woo.store_day_rules(),
                       woo._sales_daily_add(uuid[], date[], integer[], numeric[], numeric[], numeric[], numeric[], numeric[], numeric[]),
                       woo._sales_daily_orders(), woo._sales_daily_items(), woo._sales_daily_refunds(), woo._sales_daily_stores(),
                       woo.expected_sales_daily(uuid), woo.analytics_drift(uuid), woo._rebuild_sales_daily(uuid),
                       woo.repair_analytics(uuid), woo.ai_context_jsonb(), woo.ai_context() FROM PUBLIC;
-- ==== end issue 14 ====
