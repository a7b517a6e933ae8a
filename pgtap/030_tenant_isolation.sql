-- Tenant isolation: two stores with rows in every table (refunds and the rollup included); for every table and for each of
-- woo_app and woo_ai, cross-store SELECT sees nothing, and cross-store INSERT, UPDATE,
-- DELETE and upsert are denied (throws_ok with the SQLSTATE) or touch 0 rows. Cross-store
-- references are impossible (same-store composite foreign keys); with no store bound,
-- every read fails (42501).
--
-- Store A is bound throughout; store B is "the other store". Row ids are fixed so that
-- the attacker knows them (the worst case): a0000000-…-000000000NNK is row K of table N
-- in store A, b0000000-… the same in store B.
BEGIN;
SELECT plan(260);

-- Fixture, as the superuser (RLS does not apply) -----------------------------------------
INSERT INTO stores (id, store_url, api_key_hash, settings) VALUES
    ('a0000000-0000-4000-8000-000000000000', 'https://a.example', 'hash-a', '{"secret": "a"}'),
    ('b0000000-0000-4000-8000-000000000000', 'https://b.example', 'hash-b', '{"secret": "b"}');
INSERT INTO categories (id, store_id, wc_category_id, name, parent_id) VALUES
    ('a0000000-0000-4000-8000-000000000011', 'a0000000-0000-4000-8000-000000000000', 1, 'A root', NULL),
    ('a0000000-0000-4000-8000-000000000012', 'a0000000-0000-4000-8000-000000000000', 2, 'A child', 'a0000000-0000-4000-8000-000000000011'),
    ('b0000000-0000-4000-8000-000000000011', 'b0000000-0000-4000-8000-000000000000', 1, 'B root', NULL),
    ('b0000000-0000-4000-8000-000000000012', 'b0000000-0000-4000-8000-000000000000', 2, 'B child', 'b0000000-0000-4000-8000-000000000011');
INSERT INTO products (id, store_id, wc_product_id, name, category_id) VALUES
    ('a0000000-0000-4000-8000-000000000021', 'a0000000-0000-4000-8000-000000000000', 10, 'A product', 'a0000000-0000-4000-8000-000000000012'),
    ('b0000000-0000-4000-8000-000000000021', 'b0000000-0000-4000-8000-000000000000', 10, 'B product', 'b0000000-0000-4000-8000-000000000012');
INSERT INTO customers (id, store_id, wc_customer_id, email_hash, display_name) VALUES
    ('a0000000-0000-4000-8000-000000000031', 'a0000000-0000-4000-8000-000000000000', 100, repeat('a', 64), 'A customer'),
    ('b0000000-0000-4000-8000-000000000031', 'b0000000-0000-4000-8000-000000000000', 100, repeat('b', 64), 'B customer');
INSERT INTO orders (id, store_id, wc_order_id, date_created, status, total, customer_id) VALUES
    ('a0000000-0000-4000-8000-000000000041', 'a0000000-0000-4000-8000-000000000000', 1000, '2024-01-01', 'completed', 10, 'a0000000-0000-4000-8000-000000000031'),
    ('b0000000-0000-4000-8000-000000000041', 'b0000000-0000-4000-8000-000000000000', 1000, '2024-01-01', 'completed', 20, 'b0000000-0000-4000-8000-000000000031');
INSERT INTO order_items (id, store_id, order_id, product_id, product_name, quantity, total) VALUES
    ('a0000000-0000-4000-8000-000000000051', 'a0000000-0000-4000-8000-000000000000', 'a0000000-0000-4000-8000-000000000041', 'a0000000-0000-4000-8000-000000000021', 'A product', 1, 10),
    ('b0000000-0000-4000-8000-000000000051', 'b0000000-0000-4000-8000-000000000000', 'b0000000-0000-4000-8000-000000000041', 'b0000000-0000-4000-8000-000000000021', 'B product', 1, 20);
INSERT INTO coupons (id, store_id, wc_coupon_id, code) VALUES
    ('a0000000-0000-4000-8000-000000000061', 'a0000000-0000-4000-8000-000000000000', 5, 'A5'),
    ('b0000000-0000-4000-8000-000000000061', 'b0000000-0000-4000-8000-000000000000', 5, 'B5');
INSERT INTO saved_charts (id, store_id, title, chart_config) VALUES
    ('a0000000-0000-4000-8000-000000000071', 'a0000000-0000-4000-8000-000000000000', 'A chart', '{}'),
    ('b0000000-0000-4000-8000-000000000071', 'b0000000-0000-4000-8000-000000000000', 'B chart', '{}');
INSERT INTO conversations (id, store_id, messages) VALUES
    ('a0000000-0000-4000-8000-000000000081', 'a0000000-0000-4000-8000-000000000000', '["A"]'),
    ('b0000000-0000-4000-8000-000000000081', 'b0000000-0000-4000-8000-000000000000', '["B"]');
INSERT INTO sync_logs (id, store_id, sync_type) VALUES
    ('a0000000-0000-4000-8000-000000000091', 'a0000000-0000-4000-8000-000000000000', 'full'),
    ('b0000000-0000-4000-8000-000000000091', 'b0000000-0000-4000-8000-000000000000', 'full');
INSERT INTO refunds (id, store_id, order_id, wc_refund_id, amount, date_created) VALUES
    ('a0000000-0000-4000-8000-000000000101', 'a0000000-0000-4000-8000-000000000000', 'a0000000-0000-4000-8000-000000000041', 1, 2, '2024-01-02'),
    ('b0000000-0000-4000-8000-000000000101', 'b0000000-0000-4000-8000-000000000000', 'b0000000-0000-4000-8000-000000000041', 1, 3, '2024-01-02');
INSERT INTO woo.ingest_rejects (id, store_id, resource, payload, error, sqlstate) VALUES
    ('a0000000-0000-4000-8000-000000000101', 'a0000000-0000-4000-8000-000000000000', 'orders', '{}', 'A', '22023'),
    ('b0000000-0000-4000-8000-000000000101', 'b0000000-0000-4000-8000-000000000000', 'orders', '{}', 'B', '22023');

-- Rows per store per table, as the superuser sees them now; compared again at the end.
CREATE TEMP TABLE iso_before AS
SELECT t, store_id, count(*) AS n FROM (
    SELECT 'stores' AS t, id AS store_id FROM stores
    UNION ALL SELECT 'categories', store_id FROM categories
    UNION ALL SELECT 'products', store_id FROM products
    UNION ALL SELECT 'customers', store_id FROM customers
    UNION ALL SELECT 'orders', store_id FROM orders
    UNION ALL SELECT 'order_items', store_id FROM order_items
    UNION ALL SELECT 'coupons', store_id FROM coupons
    UNION ALL SELECT 'saved_charts', store_id FROM saved_charts
    UNION ALL SELECT 'conversations', store_id FROM conversations
    UNION ALL SELECT 'sync_logs', store_id FROM sync_logs
    UNION ALL SELECT 'refunds', store_id FROM refunds
    UNION ALL SELECT 'sales_daily', store_id FROM sales_daily
    UNION ALL SELECT 'ingest_rejects', store_id FROM woo.ingest_rejects) x
GROUP BY t, store_id;

-- The ten seed tables and refunds, with what an attacker needs to write a row: key column (id on stores),
-- the other required columns and their values, the WooCommerce id column used as upsert
-- conflict target (with store B's value), and how many rows store A has.
CREATE FUNCTION public.iso_tables()
RETURNS TABLE (tbl text, n int, keycol text, cols text, vals text, wccol text, own int)
LANGUAGE sql IMMUTABLE AS $$
    VALUES ('stores',        0, 'id',       'store_url, api_key_hash',                   '''https://new.example'', ''h''', NULL, 1),
           ('categories',    1, 'store_id', 'wc_category_id, name',                      '1, ''x''',                       'wc_category_id', 2),
           ('products',      2, 'store_id', 'wc_product_id, name',                       '10, ''x''',                      'wc_product_id', 1),
           ('customers',     3, 'store_id', 'wc_customer_id',                            '100',                            'wc_customer_id', 1),
           ('orders',        4, 'store_id', 'wc_order_id, date_created, status, total',  '1000, now(), ''x'', 1',          'wc_order_id', 1),
           ('order_items',   5, 'store_id', 'order_id',                                  '''b0000000-0000-4000-8000-000000000041''', NULL, 1),
           ('coupons',       6, 'store_id', 'wc_coupon_id, code',                        '5, ''x''',                       'wc_coupon_id', 1),
           ('saved_charts',  7, 'store_id', 'title, chart_config',                       '''x'', ''{}''',                  NULL, 1),
           ('conversations', 8, 'store_id', 'messages',                                  '''[]''',                         NULL, 1),
           ('sync_logs',     9, 'store_id', 'sync_type',                                 '''full''',                       NULL, 1),
           ('refunds',      10, 'store_id', 'order_id, wc_refund_id, amount, date_created', '''b0000000-0000-4000-8000-000000000041'', 9, 1, now()', NULL, 1)
$$;

-- Every cross-store check for one table, run as the current role with store A bound.
-- woo_app: reads and row-count-returning writes see 0 rows of B, writes into B throw 42501.
-- woo_ai:  reads as woo_app; every write throws 42501 (no INSERT/UPDATE/DELETE privilege).
CREATE FUNCTION public.iso_checks(r text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    t record;
    a constant text := 'a0000000-0000-4000-8000-000000000000';
    b constant text := 'b0000000-0000-4000-8000-000000000000';
    b_row text;         -- the id of store B's first row of the table
    ins text;           -- INSERT … VALUES prefix for a row with a given id and store
    q text;
    n bigint;
BEGIN
    FOR t IN SELECT * FROM public.iso_tables() LOOP
        b_row := CASE t.tbl WHEN 'stores' THEN b ELSE format('b0000000-0000-4000-8000-%s', lpad((t.n * 10 + 1)::text, 12, '0')) END;
        -- (stores is handled on its own below: its key is its id)
        ins := format('INSERT INTO public.%I (id, %I, %s) VALUES (%%L, %%L, %s)', t.tbl, t.keycol, t.cols, t.vals);

        -- SELECT: own rows visible, none of B's.
        EXECUTE format('SELECT count(*) FROM public.%I', t.tbl) INTO n;
        RETURN NEXT is(n, t.own::bigint, format('%s: %s sees exactly store A''s %s row(s)', r, t.tbl, t.own));
        EXECUTE format('SELECT count(*) FROM public.%I WHERE %I = %L', t.tbl, t.keycol, b) INTO n;
        RETURN NEXT is(n, 0::bigint, format('%s: %s shows no row of store B, even when asked for it', r, t.tbl));

        -- INSERT a new row into store B.
        IF t.tbl = 'stores' THEN
            q := format('INSERT INTO public.stores (id, store_url, api_key_hash) VALUES (%L, ''https://c.example'', ''h'')',
                        'c0000000-0000-4000-8000-000000000000');
        ELSE
            q := format(ins, gen_random_uuid(), b);
        END IF;
        RETURN NEXT throws_ok(q, '42501', NULL, format('%s: INSERT into %s of a row of another store is denied', r, t.tbl));

        -- UPDATE B's rows: 0 rows for woo_app, denied for woo_ai.
        q := format('UPDATE public.%I SET %I = %I WHERE %I = %L', t.tbl, t.keycol, t.keycol, t.keycol, b);
        IF r = 'woo_app' THEN
            EXECUTE format('WITH u AS (%s RETURNING 1) SELECT count(*) FROM u', q) INTO n;
            RETURN NEXT is(n, 0::bigint, format('%s: UPDATE of store B''s %s touches 0 rows', r, t.tbl));
        ELSE
            RETURN NEXT throws_ok(q, '42501', NULL, format('%s: UPDATE of %s is denied', r, t.tbl));
        END IF;

        -- Move an own row to store B.
        RETURN NEXT throws_ok(format('UPDATE public.%I SET %I = %L WHERE %I = %L', t.tbl, t.keycol, b, t.keycol, a),
                              '42501', NULL, format('%s: moving a row of %s to another store is denied', r, t.tbl));

        -- DELETE B's rows: 0 rows for woo_app, denied for woo_ai.
        q := format('DELETE FROM public.%I WHERE %I = %L', t.tbl, t.keycol, b);
        IF r = 'woo_app' THEN
            EXECUTE format('WITH d AS (%s RETURNING 1) SELECT count(*) FROM d', q) INTO n;
            RETURN NEXT is(n, 0::bigint, format('%s: DELETE of store B''s %s touches 0 rows', r, t.tbl));
        ELSE
            RETURN NEXT throws_ok(q, '42501', NULL, format('%s: DELETE from %s is denied', r, t.tbl));
        END IF;

        -- Upsert B's existing row by id, as a row of store B (INSERT WITH CHECK).
        IF t.tbl = 'stores' THEN
            q := format('INSERT INTO public.stores (id, store_url, api_key_hash) VALUES (%L, ''https://b2.example'', ''h'')
                         ON CONFLICT (id) DO UPDATE SET api_key_hash = ''pwned''', b);
        ELSE
            q := format(ins || ' ON CONFLICT (id) DO UPDATE SET %I = EXCLUDED.%I',
                        b_row, b, t.keycol, t.keycol);
        END IF;
        RETURN NEXT throws_ok(q, '42501', NULL, format('%s: upsert into %s of another store''s row (ON CONFLICT (id)) is denied', r, t.tbl));

        -- Steal B's existing row: insert as store A with B's unique key, DO UPDATE takes it over
        -- (the UPDATE policy's USING rejects the existing row).
        IF t.tbl = 'stores' THEN
            q := format('INSERT INTO public.stores (id, store_url, api_key_hash) VALUES (%L, ''https://b.example'', ''h'')
                         ON CONFLICT (store_url) DO UPDATE SET api_key_hash = ''pwned''', a);
        ELSE
            q := format(ins || ' ON CONFLICT (id) DO UPDATE SET %I = EXCLUDED.%I',
                        b_row, a, t.keycol, t.keycol);
        END IF;
        RETURN NEXT throws_ok(q, '42501', NULL, format('%s: upsert as store A that conflicts with store B''s %s row is denied', r, t.tbl));

        -- Upsert on the WooCommerce conflict target (store_id, wc_*_id) into store B.
        IF t.wccol IS NOT NULL THEN
            q := format(ins || ' ON CONFLICT (store_id, %I) DO UPDATE SET name = ''pwned''',
                        gen_random_uuid(), b, t.wccol);
            IF t.tbl IN ('customers', 'orders', 'coupons') THEN
                q := replace(q, 'SET name = ', format('SET %I = ', CASE t.tbl WHEN 'customers' THEN 'display_name'
                                                                             WHEN 'orders' THEN 'status'
                                                                             ELSE 'code' END));
            END IF;
            RETURN NEXT throws_ok(q, '42501', NULL, format('%s: upsert into %s ON CONFLICT (store_id, %s) into another store is denied', r, t.tbl, t.wccol));
        END IF;
    END LOOP;
END $$;

-- The rollup (read-only to every role) and the canonical views, as role r with store A bound.
CREATE FUNCTION public.iso_rollup(r text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    v text;
    n bigint;
BEGIN
    EXECUTE 'SELECT count(*) FROM public.sales_daily WHERE store_id = ''b0000000-0000-4000-8000-000000000000''' INTO n;
    RETURN NEXT is(n, 0::bigint, format('%s: sales_daily shows no row of store B, even when asked for it', r));
    EXECUTE 'SELECT count(*) FROM public.sales_daily' INTO n;
    RETURN NEXT is(n, 2::bigint, format('%s: sales_daily shows store A''s two days (the order''s, the refund''s)', r));
    RETURN NEXT throws_ok($q$INSERT INTO public.sales_daily (store_id, day) VALUES ('a0000000-0000-4000-8000-000000000000', '2024-01-05')$q$,
                          '42501', NULL, format('%s: INSERT into sales_daily is denied, even for its own store', r));
    RETURN NEXT throws_ok('UPDATE public.sales_daily SET orders = 99', '42501', NULL, format('%s: UPDATE of sales_daily is denied', r));
    RETURN NEXT throws_ok('DELETE FROM public.sales_daily', '42501', NULL, format('%s: DELETE from sales_daily is denied', r));
    FOREACH v IN ARRAY ARRAY['metrics_daily', 'metrics_product_daily', 'metrics_coupon_daily', 'customer_segments'] LOOP
        EXECUTE format('SELECT count(*) FROM public.%I WHERE store_id <> ''a0000000-0000-4000-8000-000000000000''', v) INTO n;
        RETURN NEXT is(n, 0::bigint, format('%s: view %s shows no row of another store', r, v));
    END LOOP;
    EXECUTE 'SELECT count(*) FROM public.metrics_daily' INTO n;
    RETURN NEXT is(n, 2::bigint, format('%s: metrics_daily shows store A''s two days (the order''s, the refund''s)', r));
END $$;

-- woo_app, binding store A itself with woo.set_store (GRANT SET ON PARAMETER) -------------
SET LOCAL ROLE woo_app;
SELECT is(woo.set_store('a0000000-0000-4000-8000-000000000000'), 'a0000000-0000-4000-8000-000000000000'::uuid,
          'woo_app binds store A with woo.set_store');
SELECT * FROM iso_checks('woo_app');
SELECT * FROM iso_rollup('woo_app');

-- woo.ingest_rejects (schema woo): woo_app reads, inserts and deletes its own store's only.
SELECT is((SELECT count(*) FROM woo.ingest_rejects), 1::bigint, 'woo_app: woo.ingest_rejects shows only store A''s row');
SELECT is((SELECT count(*) FROM woo.ingest_rejects WHERE store_id = 'b0000000-0000-4000-8000-000000000000'), 0::bigint,
          'woo_app: woo.ingest_rejects shows no row of store B');
SELECT throws_ok($$INSERT INTO woo.ingest_rejects (store_id, resource, payload, error, sqlstate)
                   VALUES ('b0000000-0000-4000-8000-000000000000', 'orders', '{}', 'x', '22023')$$,
                 '42501', NULL, 'woo_app: INSERT into woo.ingest_rejects for another store is denied');
WITH d AS (DELETE FROM woo.ingest_rejects WHERE store_id = 'b0000000-0000-4000-8000-000000000000' RETURNING 1)
SELECT is(count(*), 0::bigint, 'woo_app: DELETE of store B''s woo.ingest_rejects touches 0 rows') FROM d;
SELECT throws_ok($$UPDATE woo.ingest_rejects SET store_id = 'b0000000-0000-4000-8000-000000000000'$$,
                 '42501', NULL, 'woo_app: UPDATE of woo.ingest_rejects is denied (no privilege)');

-- Cross-store references: same-store composite foreign keys (23503), even when the
-- referenced row exists (in the other store).
SELECT throws_ok($$INSERT INTO orders (store_id, wc_order_id, date_created, status, total, customer_id)
                   VALUES ('a0000000-0000-4000-8000-000000000000', 2000, now(), 'completed', 1, 'b0000000-0000-4000-8000-000000000031')$$,
                 '23503', 'insert or update on table "orders" violates foreign key constraint "orders_customer_same_store"',
                 'an order of store A cannot point to a customer of store B');
SELECT throws_ok($$UPDATE orders SET customer_id = 'b0000000-0000-4000-8000-000000000031'$$,
                 '23503', 'insert or update on table "orders" violates foreign key constraint "orders_customer_same_store"',
                 'an order of store A cannot be re-pointed to a customer of store B');
SELECT throws_ok($$INSERT INTO order_items (store_id, order_id) VALUES ('a0000000-0000-4000-8000-000000000000', 'b0000000-0000-4000-8000-000000000041')$$,
                 '23503', 'insert or update on table "order_items" violates foreign key constraint "order_items_order_same_store"',
                 'an item of store A cannot belong to an order of store B');
SELECT throws_ok($$INSERT INTO order_items (store_id, order_id, product_id) VALUES ('a0000000-0000-4000-8000-000000000000',
                   'a0000000-0000-4000-8000-000000000041', 'b0000000-0000-4000-8000-000000000021')$$,
                 '23503', 'insert or update on table "order_items" violates foreign key constraint "order_items_product_same_store"',
                 'an item of store A cannot point to a product of store B');
SELECT throws_ok($$INSERT INTO products (store_id, wc_product_id, name, category_id) VALUES ('a0000000-0000-4000-8000-000000000000',
                   11, 'x', 'b0000000-0000-4000-8000-000000000012')$$,
                 '23503', 'insert or update on table "products" violates foreign key constraint "products_category_same_store"',
                 'a product of store A cannot be in a category of store B');
SELECT throws_ok($$INSERT INTO categories (store_id, wc_category_id, name, parent_id) VALUES ('a0000000-0000-4000-8000-000000000000',
                   3, 'x', 'b0000000-0000-4000-8000-000000000011')$$,
                 '23503', 'insert or update on table "categories" violates foreign key constraint "categories_parent_same_store"',
                 'a category of store A cannot have a parent in store B');
-- woo_app may re-bind (it is the trusted side), and then sees store B only.
SELECT is(woo.set_store('b0000000-0000-4000-8000-000000000000'), 'b0000000-0000-4000-8000-000000000000'::uuid,
          'woo_app re-binds store B with woo.set_store');
SELECT results_eq($$SELECT DISTINCT store_id FROM orders$$,
                  $$VALUES ('b0000000-0000-4000-8000-000000000000'::uuid)$$, 'woo_app bound to store B sees store B''s orders only');
RESET ROLE;

-- Even the superuser (RLS does not apply to it) cannot link stores.
SELECT throws_ok($$UPDATE orders SET customer_id = 'b0000000-0000-4000-8000-000000000031'
                   WHERE id = 'a0000000-0000-4000-8000-000000000041'$$,
                 '23503', 'insert or update on table "orders" violates foreign key constraint "orders_customer_same_store"',
                 'superuser: an order of store A cannot point to a customer of store B either');

-- woo_ai, store A bound by the superuser before the role switch -----------------------------
SET LOCAL woo.store_id = 'a0000000-0000-4000-8000-000000000000';
SET LOCAL ROLE woo_ai;
SELECT * FROM iso_checks('woo_ai');
SELECT * FROM iso_rollup('woo_ai');
SELECT throws_ok('SELECT count(*) FROM woo.ingest_rejects', '42501', NULL, 'woo_ai: woo.ingest_rejects is not readable at all');
RESET ROLE;

-- No store bound: every read fails (42501), it never means "all stores" ---------------------
SET LOCAL woo.store_id TO DEFAULT;
SELECT is(current_setting('woo.store_id'), '', 'the binding is cleared for the unbound checks');
CREATE FUNCTION public.iso_unbound(r text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    t record;
    v text;
BEGIN
    FOR t IN SELECT * FROM public.iso_tables() LOOP
        RETURN NEXT throws_ok(format('SELECT count(*) FROM public.%I', t.tbl), '42501', 'no store is bound to this transaction',
                              format('%s, no store bound: SELECT from %s fails', r, t.tbl));
    END LOOP;
    FOREACH v IN ARRAY ARRAY['sales_daily', 'metrics_daily', 'metrics_product_daily', 'metrics_coupon_daily', 'customer_segments'] LOOP
        RETURN NEXT throws_ok(format('SELECT count(*) FROM public.%I', v), '42501', 'no store is bound to this transaction',
                              format('%s, no store bound: SELECT from %s fails', r, v));
    END LOOP;
END $$;
SET LOCAL ROLE woo_app;
SELECT * FROM iso_unbound('woo_app');
SELECT throws_ok('SELECT count(*) FROM woo.ingest_rejects', '42501', 'no store is bound to this transaction',
                 'woo_app, no store bound: SELECT from woo.ingest_rejects fails');
SELECT throws_ok($$INSERT INTO conversations (store_id) VALUES ('a0000000-0000-4000-8000-000000000000')$$,
                 '42501', 'no store is bound to this transaction', 'woo_app, no store bound: INSERT fails');
SELECT throws_ok('SELECT woo.current_store()', '42501', 'no store is bound to this transaction',
                 'woo_app, no store bound: woo.current_store() raises instead of returning NULL');
RESET ROLE;
SET LOCAL ROLE woo_ai;
SELECT * FROM iso_unbound('woo_ai');
RESET ROLE;

-- Nothing of store B changed, whatever was tried above -------------------------------------
SELECT results_eq(
    $$SELECT t, store_id, count(*) AS n FROM (
        SELECT 'stores' AS t, id AS store_id FROM stores
        UNION ALL SELECT 'categories', store_id FROM categories
        UNION ALL SELECT 'products', store_id FROM products
        UNION ALL SELECT 'customers', store_id FROM customers
        UNION ALL SELECT 'orders', store_id FROM orders
        UNION ALL SELECT 'order_items', store_id FROM order_items
        UNION ALL SELECT 'coupons', store_id FROM coupons
        UNION ALL SELECT 'saved_charts', store_id FROM saved_charts
        UNION ALL SELECT 'conversations', store_id FROM conversations
        UNION ALL SELECT 'sync_logs', store_id FROM sync_logs
        UNION ALL SELECT 'refunds', store_id FROM refunds
        UNION ALL SELECT 'sales_daily', store_id FROM sales_daily
        UNION ALL SELECT 'ingest_rejects', store_id FROM woo.ingest_rejects) x
      GROUP BY t, store_id ORDER BY t, store_id$$,
    $$SELECT t, store_id, n FROM iso_before ORDER BY t, store_id$$,
    'superuser: every table still has exactly the rows of each store it had before the attacks');
SELECT is((SELECT api_key_hash FROM stores WHERE id = 'b0000000-0000-4000-8000-000000000000'), 'hash-b',
          'store B''s api_key_hash was not overwritten by any upsert');

SELECT * FROM finish();
ROLLBACK;
