-- An updated order reads its own line items, not its store's (issue 11): the old
-- items of a changed order are found by probing order_items_order_id_hash and
-- deleted by TID. `store_id = $1 AND order_id = ANY($2)`, as it was, is planned
-- without statistics as a read of every item of the store, so an order.updated
-- webhook cost in proportion to the store's size. Counted with this
-- transaction's own table statistics (pg_stat_get_xact_tuples_fetched/_returned),
-- with the generic plans a long-lived session uses after its fifth call.
BEGIN;
SET LOCAL plan_cache_mode = force_generic_plan;
SELECT plan(11);

INSERT INTO public.stores (id, store_url, api_key_hash) VALUES
    ('a0000000-0000-4000-8000-00000000000a', 'https://shop-a.example', 'x');
SET LOCAL woo.store_id = 'a0000000-0000-4000-8000-00000000000a';
SET LOCAL ROLE woo_app;
SELECT results_eq($$SELECT inserted FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
        (SELECT jsonb_agg(jsonb_build_object('id', n, 'status', 'processing', 'total', '30.00',
                 'date_created_gmt', '2024-01-01T00:00:00', 'date_modified_gmt', '2024-01-01T00:00:00',
                 'line_items', (SELECT jsonb_agg(jsonb_build_object('id', n * 10 + k, 'name', 'P' || k, 'product_id', k,
                                                                    'quantity', 1, 'subtotal', '10.00', 'total', '10.00'))
                                  FROM generate_series(1, 3) k)))
           FROM generate_series(1, 1000) n))$$,
    $$VALUES (1000)$$, 'setup: 1,000 orders, 3,000 line items');

RESET ROLE;
CREATE TEMP TABLE reads (label text, fetched bigint, returned bigint, seq_scans bigint);
-- Sequential scans of the tables an ingestion call touches (its triggers' queries included).
CREATE FUNCTION pg_temp.seq_scans() RETURNS bigint LANGUAGE sql AS $$
    SELECT sum(pg_stat_get_xact_numscans(c.oid))::bigint FROM pg_class c
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
       AND c.relname IN ('orders', 'order_items', 'customers', 'products', 'categories', 'coupons', 'refunds', 'sales_daily') $$;
INSERT INTO reads SELECT 'before', pg_stat_get_xact_tuples_fetched('public.order_items'::regclass),
                        pg_stat_get_xact_tuples_returned('public.order_items'::regclass), pg_temp.seq_scans();
GRANT SELECT, INSERT ON reads TO woo_app;
SET LOCAL ROLE woo_app;
SELECT results_eq($$SELECT updated FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
        '{"id": 500, "status": "completed", "total": "20.00", "date_created_gmt": "2024-01-01T00:00:00",
          "date_modified_gmt": "2024-01-02T00:00:00",
          "line_items": [{"id": 1, "name": "P1", "product_id": 1, "quantity": 2, "subtotal": "20.00", "total": "20.00"}]}')$$,
    $$VALUES (1)$$, 'one order updated (status, total, its items)');
RESET ROLE;
INSERT INTO reads SELECT 'after', pg_stat_get_xact_tuples_fetched('public.order_items'::regclass),
                        pg_stat_get_xact_tuples_returned('public.order_items'::regclass), pg_temp.seq_scans();

SELECT cmp_ok((SELECT a.fetched - b.fetched FROM reads a, reads b WHERE a.label = 'after' AND b.label = 'before'), '<', 20::bigint,
              'the update fetched the order''s own line items (a handful of rows), not the store''s 3,000');
SELECT is((SELECT a.returned - b.returned FROM reads a, reads b WHERE a.label = 'after' AND b.label = 'before'), 0::bigint,
          'and scanned none sequentially');
SELECT is((SELECT a.seq_scans - b.seq_scans FROM reads a, reads b WHERE a.label = 'after' AND b.label = 'before'), 0::bigint,
          'no table was scanned sequentially: the statements written by TID are planned TID-only, their triggers with the session''s settings');
SELECT results_eq($$SELECT i.product_name::text, i.quantity FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.wc_order_id = 500$$,
    $$VALUES ('P1', 2::numeric)$$, 'its three old items were replaced by the new one');
SELECT is((SELECT count(*)::int FROM order_items), 2998, 'no other order''s item was touched (3,000 - 3 + 1)');

-- Categories: a child whose parent link changes is written by TID; the foreign-key
-- checks of that UPDATE plan their own queries (no sequential scan either).
SET LOCAL ROLE woo_app;
SELECT results_eq($$SELECT inserted FROM woo.upsert_categories('a0000000-0000-4000-8000-00000000000a',
        (SELECT jsonb_agg(jsonb_build_object('id', n, 'name', 'C' || n, 'parent', 0)) FROM generate_series(1, 500) n))$$,
    $$VALUES (500)$$, 'setup: 500 top-level categories');
RESET ROLE;
-- A trigger of the UPDATE by TID notes the planner settings it runs with.
CREATE SCHEMA t046;
CREATE TABLE t046.seen (setting text, value text);
CREATE FUNCTION t046.note_settings() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    INSERT INTO t046.seen SELECT name, setting FROM pg_settings
     WHERE name IN ('enable_seqscan', 'enable_indexscan', 'enable_bitmapscan', 'enable_hashjoin');
    RETURN NULL;
END $$;
CREATE TRIGGER t046_note AFTER UPDATE ON public.categories FOR EACH STATEMENT EXECUTE FUNCTION t046.note_settings();
INSERT INTO reads SELECT 'categories before', 0, 0, pg_temp.seq_scans();
SET LOCAL ROLE woo_app;
SELECT results_eq($$SELECT updated FROM woo.upsert_categories('a0000000-0000-4000-8000-00000000000a',
        '[{"id": 7, "name": "C7", "parent": 3}, {"id": 8, "name": "C8", "parent": 3}]')$$,
    $$VALUES (2)$$, 'two categories moved under category 3');
RESET ROLE;
INSERT INTO reads SELECT 'categories after', 0, 0, pg_temp.seq_scans();
SELECT is((SELECT a.seq_scans - b.seq_scans FROM reads a, reads b WHERE a.label = 'categories after' AND b.label = 'categories before'), 0::bigint,
          'their links were written without a sequential scan (the parent checks included)');

SELECT results_eq($$SELECT DISTINCT value FROM t046.seen$$, $$VALUES ('on')$$,
    'the triggers of the statements planned TID-only run with the session''s settings (nothing left disabled)');

SELECT * FROM finish();
ROLLBACK;
