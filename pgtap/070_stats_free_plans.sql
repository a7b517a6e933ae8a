-- Plans that do not depend on statistics (issue 11). A freshly deployed database
-- has none: the planner then takes a store for 0.5 % of a table, and a plan made
-- while the tables are empty is kept by the session (PostgreSQL's foreign-key
-- checks' included). Each statement below is one the ingestion runs for every
-- record or line item: its generic plan, made on never-analysed copies of the
-- tables (same columns and indexes, one store), must probe the key at 0 rows and
-- still at 30,000 orders, never read a whole store (an index condition on
-- store_id alone or with `wc_customer_id IS NULL` (every guest), a bitmap over
-- it, a sequential scan).
BEGIN;
SELECT plan(38);

CREATE SCHEMA t070;
CREATE TABLE t070.categories (LIKE public.categories INCLUDING ALL);
CREATE TABLE t070.coupons (LIKE public.coupons INCLUDING ALL);
CREATE TABLE t070.products (LIKE public.products INCLUDING ALL);
CREATE TABLE t070.customers (LIKE public.customers INCLUDING ALL);
CREATE TABLE t070.orders (LIKE public.orders INCLUDING ALL);
CREATE TABLE t070.order_items (LIKE public.order_items INCLUDING ALL);

SELECT is((SELECT array_agg(c.relname ORDER BY c.relname) FROM pg_class c
            WHERE c.relnamespace = 't070'::regnamespace AND c.relkind = 'r' AND c.reltuples >= 0),
          NULL, 'the copies are never analysed (reltuples unknown)');

-- The lines of a plan that read a whole store, or the plan itself when it uses no index.
CREATE FUNCTION pg_temp.store_reads(stmt text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    line text;
    bad text[] := '{}';
    any_index boolean := false;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || stmt LOOP
        IF line ~ 'Index Cond: \(store_id = [^()]*\)$' OR line ~ 'Recheck Cond: \(store_id = [^()]*\)$'
           OR line ~ 'Index Cond: \(\(store_id = [^()]*\) AND \(wc_customer_id IS NULL\)\)$'
           OR line ~ 'Seq Scan on (orders|products|customers|categories|order_items)' THEN
            bad := bad || btrim(line);
        END IF;
        any_index := any_index OR line ~ 'Index (Only )?Scan';
    END LOOP;
    IF NOT any_index THEN bad := bad || 'no index scan'::text; END IF;
    RETURN bad;
END $$;

CREATE FUNCTION pg_temp.explain_lines(stmt text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || stmt; END $$;

SET LOCAL plan_cache_mode = force_generic_plan;
-- PostgreSQL's checks of the same-store foreign keys (tenant_fks), as ri_triggers.c writes them.
PREPARE ri_orders(uuid, uuid) AS SELECT 1 FROM ONLY t070.orders x WHERE "store_id" OPERATOR(pg_catalog.=) $1 AND "id" OPERATOR(pg_catalog.=) $2 FOR KEY SHARE OF x;
PREPARE ri_products(uuid, uuid) AS SELECT 1 FROM ONLY t070.products x WHERE "store_id" OPERATOR(pg_catalog.=) $1 AND "id" OPERATOR(pg_catalog.=) $2 FOR KEY SHARE OF x;
PREPARE ri_customers(uuid, uuid) AS SELECT 1 FROM ONLY t070.customers x WHERE "store_id" OPERATOR(pg_catalog.=) $1 AND "id" OPERATOR(pg_catalog.=) $2 FOR KEY SHARE OF x;
PREPARE ri_categories(uuid, uuid) AS SELECT 1 FROM ONLY t070.categories x WHERE "store_id" OPERATOR(pg_catalog.=) $1 AND "id" OPERATOR(pg_catalog.=) $2 FOR KEY SHARE OF x;
-- The extension's lookups (extension/pg/ingest_orders.cpp, ingest_catalog.cpp) and metrics (ingest_spi.cpp).
PREPARE existing_orders(uuid, int4[]) AS SELECT o.wc_order_id, o.date_modified, o.payload_hash, o.customer_id
      FROM (SELECT DISTINCT u.wc FROM unnest($2::int4[]) AS u(wc) ORDER BY u.wc) AS k
    CROSS JOIN LATERAL (SELECT wc_order_id, date_modified, payload_hash, customer_id FROM t070.orders WHERE store_id = $1 AND wc_order_id = k.wc OFFSET 0 FOR NO KEY UPDATE) o;
PREPARE stored_orders(uuid, int4[]) AS SELECT o.wc_order_id, o.date_modified, o.payload_hash
      FROM (SELECT DISTINCT u.wc FROM unnest($2::int4[]) AS u(wc) ORDER BY u.wc) AS k
    CROSS JOIN LATERAL (SELECT wc_order_id, date_modified, payload_hash FROM t070.orders WHERE store_id = $1 AND wc_order_id = k.wc OFFSET 0) o;
PREPARE product_ids(uuid, int4[]) AS SELECT p.wc_product_id, p.id FROM (SELECT DISTINCT u.wc FROM unnest($2::int4[]) AS u(wc) ORDER BY u.wc) AS k
    CROSS JOIN LATERAL (SELECT wc_product_id, id FROM t070.products WHERE store_id = $1 AND wc_product_id = k.wc OFFSET 0 FOR KEY SHARE) p;
PREPARE customer_ids(uuid, int4[]) AS SELECT c.wc_customer_id, c.id FROM (SELECT DISTINCT u.wc FROM unnest($2::int4[]) AS u(wc) ORDER BY u.wc) AS k
    CROSS JOIN LATERAL (SELECT wc_customer_id, id FROM t070.customers WHERE store_id = $1 AND wc_customer_id = k.wc OFFSET 0 FOR KEY SHARE) c;
PREPARE guest_ids(uuid, text[]) AS SELECT c.email_hash, c.id FROM (SELECT DISTINCT u.h FROM unnest($2::text[]) AS u(h) ORDER BY u.h) AS k
    CROSS JOIN LATERAL (SELECT email_hash, id, wc_customer_id FROM t070.customers WHERE store_id = $1 AND email_hash = k.h OFFSET 0 FOR KEY SHARE) c
     WHERE c.wc_customer_id IS NULL;
PREPARE lock_customers(uuid, uuid[]) AS SELECT l.id FROM (SELECT DISTINCT a.id FROM unnest($2::uuid[]) AS a(id) ORDER BY a.id) AS k
    CROSS JOIN LATERAL (SELECT c.id FROM t070.customers c WHERE c.id = k.id AND c.store_id = $1 OFFSET 0 FOR NO KEY UPDATE) l;
PREPARE changed_metrics(uuid, uuid[], text[]) AS SELECT l.tid, x.spent, x.n, x.first, x.last
      FROM unnest($2::uuid[]) AS k(id)
    CROSS JOIN LATERAL (SELECT c.ctid AS tid, c.id, c.total_spent, c.order_count, c.first_order_date, c.last_order_date
                          FROM t070.customers c WHERE c.id = k.id AND c.store_id = $1 OFFSET 0) l
    CROSS JOIN LATERAL (SELECT least(greatest(coalesce(sum(o.total - o.refunded_total), 0), -9999999999.99), 9999999999.99)::numeric(12,2) AS spent,
                               count(*)::integer AS n, min(o.date_created) AS first, max(o.date_created) AS last
                          FROM t070.orders o WHERE o.store_id = $1 AND o.customer_id = l.id AND o.status <> ALL ($3)) x
     WHERE (l.total_spent, l.order_count, l.first_order_date, l.last_order_date) IS DISTINCT FROM (x.spent, x.n, x.first, x.last);
PREPARE delete_items_by_tid(tid[]) AS DELETE FROM t070.order_items WHERE ctid = ANY ($1::tid[]);
PREPARE existing_categories(uuid, int4[]) AS SELECT x.* FROM unnest($2::int4[]) AS k(wc)
    CROSS JOIN LATERAL (SELECT wc_category_id, NULL::timestamptz, payload_hash FROM t070.categories WHERE store_id = $1 AND wc_category_id = k.wc OFFSET 0) x;
PREPARE existing_coupons(uuid, int4[]) AS SELECT x.* FROM unnest($2::int4[]) AS k(wc)
    CROSS JOIN LATERAL (SELECT wc_coupon_id, NULL::timestamptz, payload_hash FROM t070.coupons WHERE store_id = $1 AND wc_coupon_id = k.wc OFFSET 0) x;
PREPARE category_links(uuid, int4[], int4[]) AS SELECT c.tid, p.id FROM unnest($2::int4[], $3::int4[]) AS u(wc, parent)
    CROSS JOIN LATERAL (SELECT ctid AS tid, parent_id FROM t070.categories WHERE store_id = $1 AND wc_category_id = u.wc OFFSET 0) c
    LEFT JOIN LATERAL (SELECT id FROM t070.categories WHERE store_id = $1 AND wc_category_id = u.parent OFFSET 0) p ON true
    WHERE c.parent_id IS DISTINCT FROM p.id;
PREPARE set_category_links(tid[], uuid[]) AS UPDATE t070.categories c SET parent_id = u.parent
      FROM unnest($1::tid[], $2::uuid[]) AS u(tid, parent) WHERE c.ctid = u.tid;
PREPARE write_metrics(tid[], numeric[], int4[], timestamptz[], timestamptz[]) AS
    UPDATE t070.customers c SET total_spent = u.spent, order_count = u.n, first_order_date = u.first, last_order_date = u.last
      FROM unnest($1, $2, $3, $4, $5) AS u(tid, spent, n, first, last) WHERE c.ctid = u.tid;
-- The check of order_items_order_id_fkey when an order is deleted (ON DELETE CASCADE).
PREPARE cascade_items(uuid) AS DELETE FROM ONLY t070.order_items WHERE $1 OPERATOR(pg_catalog.=) "order_id";

CREATE TEMP TABLE stmts (name text, stmt text);
INSERT INTO stmts VALUES
    ('order_items_order_same_store check', $$EXECUTE ri_orders('b0000000-0000-4000-8000-0000000000b1', gen_random_uuid())$$),
    ('order_items_product_same_store check', $$EXECUTE ri_products('b0000000-0000-4000-8000-0000000000b1', gen_random_uuid())$$),
    ('orders_customer_same_store check', $$EXECUTE ri_customers('b0000000-0000-4000-8000-0000000000b1', gen_random_uuid())$$),
    ('products_category_same_store check', $$EXECUTE ri_categories('b0000000-0000-4000-8000-0000000000b1', gen_random_uuid())$$),
    ('existing orders by WooCommerce id', $$EXECUTE existing_orders('b0000000-0000-4000-8000-0000000000b1', '{1,2,3}')$$),
    ('stored orders by WooCommerce id (the probe before parsing, no lock)', $$EXECUTE stored_orders('b0000000-0000-4000-8000-0000000000b1', '{1,2,3}')$$),
    ('product ids by WooCommerce id', $$EXECUTE product_ids('b0000000-0000-4000-8000-0000000000b1', '{1,2,3}')$$),
    ('customer ids by WooCommerce id', $$EXECUTE customer_ids('b0000000-0000-4000-8000-0000000000b1', '{1,2,3}')$$),
    ('guest ids by e-mail hash (the SQL fallback when the guest index is missing)', $$EXECUTE guest_ids('b0000000-0000-4000-8000-0000000000b1', '{a,b}')$$),
    ('categories: the stored rows by WooCommerce id', $$EXECUTE existing_categories('b0000000-0000-4000-8000-0000000000b1', '{1,2,3}')$$),
    ('coupons: the stored rows by WooCommerce id', $$EXECUTE existing_coupons('b0000000-0000-4000-8000-0000000000b1', '{1,2,3}')$$),
    ('categories: the parent links that differ', $$EXECUTE category_links('b0000000-0000-4000-8000-0000000000b1', '{1,2}', '{0,1}')$$),
    ('metrics: lock the customers', $$EXECUTE lock_customers('b0000000-0000-4000-8000-0000000000b1', ARRAY[gen_random_uuid()])$$),
    ('metrics: the customers whose metrics differ, from their orders', $$EXECUTE changed_metrics('b0000000-0000-4000-8000-0000000000b1', ARRAY[gen_random_uuid()], '{pending}')$$),
    ('line items of a deleted order (cascade)', $$EXECUTE cascade_items(gen_random_uuid())$$);

SELECT is(pg_temp.store_reads(stmt), '{}'::text[], name || ': a probe of the key at 0 rows') FROM stmts ORDER BY name;

-- The statements that write by TID, planned as extension/pg/ingest_spi.cpp
-- (run_tid_probing) plans them: every scan but TID scans and every join but
-- nested loops disabled; one TID probe per row, whatever the table's size when
-- the plan was made. The plan, one line, spaces collapsed.
CREATE FUNCTION pg_temp.tid_only_plan(stmt text) RETURNS text LANGUAGE sql
    SET enable_seqscan = off SET enable_bitmapscan = off SET enable_indexscan = off SET enable_indexonlyscan = off
    SET enable_hashjoin = off SET enable_mergejoin = off AS $$
    SELECT string_agg(regexp_replace(btrim(p), '\s+', ' ', 'g'), ' / ') FROM pg_temp.explain_lines(stmt) e(p) $$;
CREATE TEMP TABLE tid_stmts (name text, stmt text, plan text);
INSERT INTO tid_stmts VALUES
    ('metrics: the UPDATE of the customers whose metrics differ',
     $$EXECUTE write_metrics('{"(0,1)"}', '{1}', '{1}', '{now}', '{now}')$$,
     '%Nested Loop / -> Function Scan on u / -> Tid Scan on customers c / TID Cond: (ctid = u.tid)%'),
    ('the old line items of updated orders (the TIDs probe_order_items read)',
     $$EXECUTE delete_items_by_tid('{"(0,1)"}')$$, 'Delete on order_items / -> Tid Scan on order_items / TID Cond: (ctid = ANY ($1))'),
    ('categories: the parent links that differ, written',
     $$EXECUTE set_category_links('{"(0,1)"}', ARRAY[gen_random_uuid()])$$,
     '%Nested Loop / -> Function Scan on u / -> Tid Scan on categories c / TID Cond: (ctid = u.tid)%');
SELECT alike(pg_temp.tid_only_plan(stmt), plan, name || ': a TID probe per row at 0 rows') FROM tid_stmts ORDER BY name;

-- One store of 30,000 orders (90,000 items), 2,500 customers (500 guests), 600 products, 200 categories, 5,000 coupons;
-- still never analysed.
INSERT INTO t070.coupons (store_id, wc_coupon_id, code)
SELECT 'b0000000-0000-4000-8000-0000000000b1', n, 'CODE' || n FROM generate_series(1, 5000) n;
INSERT INTO t070.categories (store_id, wc_category_id, name)
SELECT 'b0000000-0000-4000-8000-0000000000b1', n, 'Category ' || n FROM generate_series(1, 200) n;
INSERT INTO t070.products (store_id, wc_product_id, name)
SELECT 'b0000000-0000-4000-8000-0000000000b1', n, 'Product ' || n FROM generate_series(1, 600) n;
INSERT INTO t070.customers (store_id, wc_customer_id, email_hash)
SELECT 'b0000000-0000-4000-8000-0000000000b1', CASE WHEN n > 2000 THEN NULL ELSE n END, md5(n::text) || md5(n::text)
  FROM generate_series(1, 2500) n;
INSERT INTO t070.orders (store_id, wc_order_id, date_created, status, total, customer_id)
SELECT 'b0000000-0000-4000-8000-0000000000b1', n, '2024-01-01'::timestamptz + n * interval '7 minutes', 'completed', 10,
       (SELECT id FROM t070.customers WHERE wc_customer_id = n % 2000 + 1)
  FROM generate_series(1, 30000) n;
INSERT INTO t070.order_items (order_id, store_id, product_id)
SELECT o.id, o.store_id, NULL FROM t070.orders o, generate_series(1, 3);
SELECT is((SELECT array_agg(c.relname ORDER BY c.relname) FROM pg_class c
            WHERE c.relnamespace = 't070'::regnamespace AND c.relkind = 'r' AND c.reltuples >= 0),
          NULL, 'the copies are still never analysed at 30,000 orders');
SELECT is(pg_temp.store_reads(stmt), '{}'::text[], name || ': the plan made at 0 rows still probes the key at 30,000 orders')
  FROM stmts ORDER BY name;

SELECT alike(pg_temp.tid_only_plan(stmt), plan, name || ': the plan made at 0 rows still probes each row by TID at 30,000 orders')
  FROM tid_stmts ORDER BY name;

SELECT * FROM finish();
ROLLBACK;
