-- The ingestion fuzzer (issue 10): seeded mutations of the corpus records
-- (tests/fixtures, and ../shared/woocommerce when present) sent to every
-- woo.upsert_* function and to woo.apply_webhook, in strict and lenient mode.
-- Per iteration, everything is rolled back; it asserts:
--   1. no call fails with XX000 (and the backend survives: the driver checks);
--   2. strict mode: a call that fails leaves the store exactly as before it;
--   3. lenient mode: the call never fails, and leaves the store exactly as the
--      same records sent one at a time, in the call's order (id, then position), do,
--      with the same counts;
--   4. no text the extension stored holds a plaintext e-mail address.
-- Deterministic: iteration i of seed s draws from setseed(f(s, i)) only, so
-- `SELECT * FROM fuzz.run(s, i, i)` replays one iteration.
-- Installed by scripts/test-fuzz.sh into a throwaway database (run as a superuser).

CREATE SCHEMA fuzz;

CREATE TABLE fuzz.corpus (n serial PRIMARY KEY, resource text NOT NULL, rec jsonb NOT NULL);

-- Which resource a REST object is (the loader's rule, roughly).
CREATE FUNCTION fuzz.infer(r jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN jsonb_typeof(r) <> 'object' THEN NULL
        WHEN r ? 'line_items' AND r ? 'billing' THEN 'orders'
        WHEN r ? 'discount_type' THEN 'coupons'
        WHEN r ? 'username' OR (r ? 'email' AND r ? 'first_name' AND NOT r ? 'line_items') THEN 'customers'
        WHEN r ? 'price' OR r ? 'attributes' OR r ? 'sku' OR r ? 'stock_quantity' THEN 'products'
        WHEN r ? 'parent' OR r ? 'count' OR r ? 'slug' THEN 'categories'
    END
$$;

-- Adds a payload (an object or an array of objects) to the corpus.
CREATE FUNCTION fuzz.add(body jsonb) RETURNS integer LANGUAGE sql AS $$
    WITH recs AS (SELECT CASE WHEN jsonb_typeof(body) = 'array' THEN e ELSE body END AS r
                    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(body) = 'array' THEN body ELSE '[null]' END) e),
    ins AS (INSERT INTO fuzz.corpus (resource, rec) SELECT fuzz.infer(r), r FROM recs WHERE fuzz.infer(r) IS NOT NULL RETURNING 1)
    SELECT count(*)::int FROM ins
$$;

-- Hostile values: every integer boundary, e-mails, money at and beyond numeric(12,2),
-- long strings, odd types and references.
CREATE FUNCTION fuzz.hostile() RETURNS jsonb[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY[
        '18446744073709975858', '18446744073709551617', '-18446744073709551617', '18446744073709551616',
        '4294967297', '2147483647', '2147483648', '-2147483648', '-2147483649', '9223372036854775807',
        '9223372036854775808', '1e30', '1e308', '1.5', '-1', '0', '1', 'null', 'true', 'false', '""', '"  "',
        '"jane@example.com"', '" Jane.Doe@Example.COM "', '"Contact bob@example.org now"', '"x@y.z"',
        '"9999999999.99"', '"-9999999999.99"', '"10000000000.00"', '"0.01"', '"12,50"', '"NaN"', '"1e3"', '"-0.001"',
        '"2024-02-30T00:00:00"', '"0001-01-01T00:00:00"', '"9999-12-31T23:59:59"', '"not-a-date"',
        to_jsonb(repeat('x', 600)), to_jsonb(repeat('é', 256)), '"&#0; &#xD800; &#1114112; &amp;"', '"ünïcødé ✓ 😀"',
        '[]', '{}', '[null]', '[1, 2]', '{"a@b.co": 1}', '{"id": 18446744073709551617}',
        '[{"product_id": 18446744073709551621, "subtotal": "9999999999.99"}, {"subtotal": "9999999999.99"}]',
        '[{"total": "-9999999999.99"}, {"total": "-9999999999.99"}]',
        '[{"name": "Size", "option": "' || repeat('y', 600) || '"}]',
        '[{"id": 4294967301, "name": "c"}]'
    ]::jsonb[]
$$;

-- Every path of a JSON value (text[] of keys/indexes), containers included.
CREATE FUNCTION fuzz.paths(r jsonb) RETURNS SETOF text[] LANGUAGE sql IMMUTABLE AS $$
    WITH RECURSIVE p(path, v) AS (
        SELECT ARRAY[k], v FROM jsonb_each(r) AS e(k, v) WHERE jsonb_typeof(r) = 'object'
        UNION ALL
        SELECT p.path || c.k, c.v
          FROM p, LATERAL (SELECT k, v FROM jsonb_each(CASE WHEN jsonb_typeof(p.v) = 'object' THEN p.v ELSE '{}' END) AS e(k, v)
                           UNION ALL
                           SELECT (i - 1)::text, v FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p.v) = 'array' THEN p.v ELSE '[]' END)
                                                        WITH ORDINALITY AS a(v, i)) c
         WHERE array_length(p.path, 1) < 6)
    SELECT path FROM p
$$;

CREATE FUNCTION fuzz.pick(n integer) RETURNS integer LANGUAGE sql VOLATILE AS $$ SELECT 1 + floor(random() * n)::int $$;

-- One mutation of a record, drawn from random().
CREATE FUNCTION fuzz.mutate(r jsonb) RETURNS jsonb LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    paths text[] := ARRAY(SELECT array_to_string(p, chr(1)) FROM fuzz.paths(r) p ORDER BY 1);
    h jsonb[] := fuzz.hostile();
    path text[];
    op integer := fuzz.pick(10);
BEGIN
    IF coalesce(array_length(paths, 1), 0) = 0 THEN RETURN r; END IF;
    path := string_to_array(paths[fuzz.pick(array_length(paths, 1))], chr(1));
    CASE
        WHEN op <= 5 THEN RETURN jsonb_set(r, path, h[fuzz.pick(array_length(h, 1))]);      -- a hostile value anywhere
        WHEN op = 6 THEN RETURN r #- path;                                                    -- a field removed
        WHEN op = 7 THEN RETURN jsonb_set(r, '{id}', h[fuzz.pick(12)]);                        -- an id beyond every range
        WHEN op = 8 THEN RETURN r || jsonb_build_object('u' || fuzz.pick(9) || '@example.com', r -> path[1]); -- an e-mail as a key
        WHEN op = 9 THEN RETURN jsonb_set(r, path, to_jsonb('c' || fuzz.pick(99) || '@example.net'));       -- an e-mail as a value
        ELSE RETURN jsonb_set(r, path, jsonb_build_array(r #> path, r #> path));              -- a value doubled into an array
    END CASE;
END $$;

-- What a store holds, independent of generated uuids and clocks: references by
-- WooCommerce id. Left out, as they legitimately depend on how records share a
-- chunk: placeholder rows (a chunk's placeholder takes the name of any one of its
-- orders, a record-by-record run the first one's), and which customer row an order
-- links to with its metrics (a guest and a registered customer of the same e-mail
-- in one chunk stay two rows; one at a time, the guest becomes the registered one).
CREATE FUNCTION fuzz.digest(store uuid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT md5(concat_ws('|',
      (SELECT string_agg(concat_ws(',', o.wc_order_id, o.status, o.total, o.subtotal, o.tax_total, o.shipping_total, o.discount_total,
                                   o.currency, o.payment_method, o.coupon_used, o.refunded_total, o.date_created, o.date_modified,
                                   o.customer_id IS NULL, o.payload_hash), ';' ORDER BY o.wc_order_id)
         FROM public.orders o WHERE o.store_id = store),
      (SELECT string_agg(concat_ws(',', o.wc_order_id, p.wc_product_id, i.product_name, i.sku, i.quantity, i.subtotal, i.total), ';'
                         ORDER BY o.wc_order_id, p.wc_product_id, i.product_name, i.sku, i.quantity, i.subtotal, i.total)
         FROM public.order_items i JOIN public.orders o ON o.id = i.order_id LEFT JOIN public.products p ON p.id = i.product_id
        WHERE i.store_id = store),
      (SELECT string_agg(concat_ws(',', wc_customer_id, email_hash, display_name, created_at, payload_hash), ';' ORDER BY wc_customer_id)
         FROM public.customers WHERE store_id = store AND payload_hash IS NOT NULL),
      (SELECT string_agg(concat_ws(',', p.wc_product_id, CASE WHEN p.payload_hash IS NOT NULL THEN p.name END,
                                   CASE WHEN p.payload_hash IS NOT NULL THEN p.sku END, p.price, p.regular_price, p.sale_price,
                                   c.wc_category_id, p.category_name, p.stock_quantity, p.stock_status, p.status, p.type,
                                   p.created_at, p.updated_at, p.payload_hash), ';' ORDER BY p.wc_product_id)
         FROM public.products p LEFT JOIN public.categories c ON c.id = p.category_id WHERE p.store_id = store),
      (SELECT string_agg(concat_ws(',', c.wc_category_id, CASE WHEN c.payload_hash IS NOT NULL THEN c.name END, c.product_count,
                                   p.wc_category_id, c.payload_hash), ';' ORDER BY c.wc_category_id)
         FROM public.categories c LEFT JOIN public.categories p ON p.id = c.parent_id WHERE c.store_id = store),
      (SELECT string_agg(concat_ws(',', wc_coupon_id, code, discount_type, amount, usage_count, payload_hash), ';' ORDER BY wc_coupon_id)
         FROM public.coupons WHERE store_id = store),
      (SELECT string_agg(concat_ws(',', resource, wc_id, sqlstate, payload), ';' ORDER BY resource, wc_id, sqlstate, payload::text)
         FROM woo.ingest_rejects WHERE store_id = store),
      -- issue 14: the refund rows and the day-level rollup (summed over its writer slots)
      (SELECT string_agg(concat_ws(',', o.wc_order_id, f.wc_refund_id, f.amount, f.reason, f.date_created, f.date_exact), ';'
                         ORDER BY o.wc_order_id, f.wc_refund_id)
         FROM public.refunds f JOIN public.orders o ON o.id = f.order_id WHERE f.store_id = store),
      (SELECT string_agg(concat_ws(',', day, orders, items_sold, gross_sales, discounts, refunds, taxes, shipping), ';' ORDER BY day)
         FROM (SELECT day, sum(orders) AS orders, sum(items_sold) AS items_sold, sum(gross_sales) AS gross_sales, sum(discounts) AS discounts,
                      sum(refunds) AS refunds, sum(taxes) AS taxes, sum(shipping) AS shipping
                 FROM public.sales_daily WHERE store_id = store GROUP BY day
               HAVING (sum(orders), sum(items_sold), sum(gross_sales), sum(discounts), sum(refunds), sum(taxes), sum(shipping))
                      <> (0, 0, 0, 0, 0, 0, 0)) d)))
$$;

-- Stored texts that hold an e-mail address in clear (a dotted domain).
CREATE FUNCTION fuzz.plaintext_emails(store uuid) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM (
        SELECT display_name AS t FROM public.customers WHERE store_id = store
        UNION ALL SELECT email_hash FROM public.customers WHERE store_id = store
        UNION ALL SELECT product_name FROM public.order_items WHERE store_id = store
        UNION ALL SELECT sku FROM public.order_items WHERE store_id = store
        UNION ALL SELECT name FROM public.products WHERE store_id = store
        UNION ALL SELECT sku FROM public.products WHERE store_id = store
        UNION ALL SELECT category_name FROM public.products WHERE store_id = store
        UNION ALL SELECT name FROM public.categories WHERE store_id = store
        UNION ALL SELECT code FROM public.coupons WHERE store_id = store
        UNION ALL SELECT status FROM public.orders WHERE store_id = store
        UNION ALL SELECT payment_method FROM public.orders WHERE store_id = store
        UNION ALL SELECT coupon_used FROM public.orders WHERE store_id = store
        UNION ALL SELECT payload::text FROM woo.ingest_rejects WHERE store_id = store
        UNION ALL SELECT error FROM woo.ingest_rejects WHERE store_id = store) x
     WHERE t ~ '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z]'
$$;

CREATE FUNCTION fuzz.call(resource text, store uuid, payload jsonb, strict boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    EXECUTE format('SELECT * FROM woo.upsert_%s($1, $2, $3)', resource) INTO r USING store, payload, strict;
    RETURN r::text;
END $$;

-- Runs iterations first..last of `seed` (stops early after budget_s seconds).
CREATE FUNCTION fuzz.run(seed integer, first integer, last integer, budget_s double precision DEFAULT 1e9)
    RETURNS TABLE (iteration integer, ok boolean, what text) LANGUAGE plpgsql AS $$
DECLARE
    store constant uuid := 'f0220000-0000-4000-8000-00000000f022';
    t0 timestamptz := clock_timestamp();
    res text; n_corpus integer; base jsonb; payload jsonb; k integer; i integer;
    before_d text; after_d text; batch_d text; batch_counts text; single_counts int[]; c int[]; emails bigint;
    state text; msg text; topic text;
BEGIN
    SELECT count(*) INTO n_corpus FROM fuzz.corpus;
    PERFORM set_config('woo.store_id', store::text, true);
    FOR i IN first..last LOOP
        EXIT WHEN extract(epoch FROM clock_timestamp() - t0) > budget_s;
        iteration := i;
        PERFORM setseed(((seed::bigint * 1000003 + i) % 2147483647)::double precision / 2147483647);
        res := (SELECT resource FROM fuzz.corpus ORDER BY n OFFSET fuzz.pick(n_corpus) - 1 LIMIT 1);
        -- A base of unmutated records of that resource, then 1 to 6 records, some mutated, some repeated.
        base := (SELECT coalesce(jsonb_agg(rec ORDER BY n), '[]') FROM (SELECT n, rec FROM fuzz.corpus WHERE resource = res
                   ORDER BY md5(n::text || i || seed) LIMIT 3) b);
        payload := '[]';
        FOR k IN 1..fuzz.pick(6) LOOP
            payload := payload || jsonb_build_array(CASE WHEN random() < 0.7
                THEN fuzz.mutate((SELECT rec FROM fuzz.corpus WHERE resource = res ORDER BY n OFFSET fuzz.pick((SELECT count(*)::int FROM fuzz.corpus WHERE resource = res)) - 1 LIMIT 1))
                ELSE (SELECT rec FROM fuzz.corpus WHERE resource = res ORDER BY n OFFSET fuzz.pick((SELECT count(*)::int FROM fuzz.corpus WHERE resource = res)) - 1 LIMIT 1) END);
        END LOOP;
        IF random() < 0.15 THEN payload := payload || jsonb_build_array(payload -> 0); END IF;   -- the same id twice
        BEGIN  -- everything of the iteration is rolled back at its end
            PERFORM fuzz.call(res, store, base, false);
            before_d := fuzz.digest(store);
            -- 1, 2. strict
            BEGIN
                PERFORM fuzz.call(res, store, payload, true);
            EXCEPTION WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
                IF state = 'XX000' THEN ok := false; what := 'strict ' || res || ': XX000 ' || msg; RETURN NEXT; END IF;
                after_d := fuzz.digest(store);
                IF after_d IS DISTINCT FROM before_d THEN ok := false; what := 'strict ' || res || ': partial write after ' || state; RETURN NEXT; END IF;
            END;
            -- 3. lenient, then the same records one at a time
            BEGIN
                batch_counts := fuzz.call(res, store, payload, false);
                batch_d := fuzz.digest(store);
                emails := fuzz.plaintext_emails(store);
                IF emails > 0 THEN ok := false; what := 'lenient ' || res || ': ' || emails || ' stored texts hold a plaintext e-mail'; RETURN NEXT; END IF;
                RAISE EXCEPTION USING ERRCODE = 'F0Z01';   -- roll the lenient call back
            EXCEPTION
                WHEN SQLSTATE 'F0Z01' THEN NULL;
                WHEN OTHERS THEN
                    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
                    ok := false; what := 'lenient ' || res || ': the call failed: ' || state || ' ' || msg; RETURN NEXT;
                    batch_d := NULL;
            END;
            IF batch_d IS NOT NULL THEN
                single_counts := ARRAY[0, 0, 0, 0, 0, 0];
                FOR k IN SELECT e.i FROM jsonb_array_elements(payload) WITH ORDINALITY AS e(r, i)
                          ORDER BY CASE WHEN jsonb_typeof(e.r -> 'id') = 'number' THEN (e.r ->> 'id')::numeric END NULLS FIRST, e.i LOOP
                    c := string_to_array(btrim(fuzz.call(res, store, payload -> (k - 1), false), '()'), ',')::int[];
                    single_counts := ARRAY(SELECT single_counts[j] + c[j] FROM generate_series(1, 6) j);
                END LOOP;
                IF fuzz.digest(store) IS DISTINCT FROM batch_d THEN
                    ok := false; what := 'lenient ' || res || ': the call differs from its records sent one at a time'; RETURN NEXT;
                    IF current_setting('fuzz.verbose', true) = 'on' THEN
                        RAISE NOTICE 'payload: %', payload;
                    END IF;
                -- (categories: a parent sent after its child is a placeholder first, so
                -- one at a time counts it updated where a chunk counts it inserted)
                ELSIF res <> 'categories' AND '(' || array_to_string(single_counts, ',') || ')' IS DISTINCT FROM batch_counts THEN
                    ok := false; what := 'lenient ' || res || ': counts ' || batch_counts || ' one at a time ' || array_to_string(single_counts, ','); RETURN NEXT;
                END IF;
            END IF;
            -- webhooks: the first record as created and deleted (strict)
            topic := rtrim(res, 's');
            IF topic IN ('order', 'product', 'customer', 'coupon') AND jsonb_typeof(payload -> 0) = 'object' THEN
                BEGIN
                    PERFORM woo.apply_webhook(store, topic || '.updated', payload -> 0);
                    PERFORM woo.apply_webhook(store, topic || '.deleted', jsonb_build_object('id', payload -> 0 -> 'id'));
                EXCEPTION WHEN OTHERS THEN
                    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
                    IF state = 'XX000' THEN ok := false; what := 'webhook ' || topic || ': XX000 ' || msg; RETURN NEXT; END IF;
                END;
            END IF;
            -- issue 14: whatever ran, the day-level rollup equals the raw tables
            IF EXISTS (SELECT 1 FROM woo.analytics_drift(store)) THEN
                ok := false; what := res || ': the rollup (sales_daily) drifted from the raw tables'; RETURN NEXT;
            END IF;
            RAISE EXCEPTION USING ERRCODE = 'F0Z02';
        EXCEPTION WHEN SQLSTATE 'F0Z02' THEN NULL;
        END;
        ok := true; what := res; RETURN NEXT;
    END LOOP;
END $$;
