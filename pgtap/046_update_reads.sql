-- An updated order reads its own line items, not its store's (issue 11): the old
-- items of a changed order are found by probing order_items_order_id_hash and
-- deleted by TID. `store_id = $1 AND order_id = ANY($2)`, as it was, is planned
-- without statistics as a read of every item of the store, so an order.updated
-- webhook cost in proportion to the store's size. Counted with this
-- transaction's own table statistics (pg_stat_get_xact_tuples_fetched/_returned),
-- with the generic plans a long-lived session uses after its fifth call.
BEGIN;
SET LOCAL plan_cache_mode = force_generic_plan;
SELECT plan(6);

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
CREATE TEMP TABLE reads (label text, fetched bigint, returned bigint);
INSERT INTO reads SELECT 'before', pg_stat_get_xact_tuples_fetched('public.order_items'::regclass),
                        pg_stat_get_xact_tuples_returned('public.order_items'::regclass);
GRANT SELECT, INSERT ON reads TO woo_app;
SET LOCAL ROLE woo_app;
SELECT results_eq($$SELECT updated FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
        '{"id": 500, "status": "completed", "total": "20.00", "date_created_gmt": "2024-01-01T00:00:00",
          "date_modified_gmt": "2024-01-02T00:00:00",
          "line_items": [{"id": 1, "name": "P1", "product_id": 1, "quantity": 2, "subtotal": "20.00", "total": "20.00"}]}')$$,
    $$VALUES (1)$$, 'one order updated (status, total, its items)');
RESET ROLE;
INSERT INTO reads SELECT 'after', pg_stat_get_xact_tuples_fetched('public.order_items'::regclass),
                        pg_stat_get_xact_tuples_returned('public.order_items'::regclass);

SELECT cmp_ok((SELECT a.fetched - b.fetched FROM reads a, reads b WHERE a.label = 'after' AND b.label = 'before'), '<', 20::bigint,
              'the update fetched the order''s own line items (a handful of rows), not the store''s 3,000');
SELECT is((SELECT a.returned - b.returned FROM reads a, reads b WHERE a.label = 'after' AND b.label = 'before'), 0::bigint,
          'and scanned none sequentially');
SELECT results_eq($$SELECT i.product_name::text, i.quantity FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.wc_order_id = 500$$,
    $$VALUES ('P1', 2::numeric)$$, 'its three old items were replaced by the new one');
SELECT is((SELECT count(*)::int FROM order_items), 2998, 'no other order''s item was touched (3,000 - 3 + 1)');

SELECT * FROM finish();
ROLLBACK;
