-- woo.ai_context() / woo.ai_context_jsonb() (issue 14, extension 1.6): generated from the catalog at call
-- time for the bound store; at most 16 KB; everything it mentions is readable through
-- woo.ai_query (every relation and column, every example runs); nothing hidden from
-- woo_ai is mentioned; the canonical views come first; every column woo_ai can read
-- has a comment.
BEGIN;
SELECT plan(14);

INSERT INTO public.stores (id, store_url, api_key_hash, settings) VALUES
    ('f0000000-0000-4000-8000-000000000031', 'https://context.example', 'x',
     '{"timezone": "Asia/Tokyo", "excluded_statuses": ["failed", "cancelled"]}');
CREATE TEMP TABLE ctx (t text, j jsonb);
CREATE TEMP TABLE readable (rel text, ok boolean, err text);
CREATE TEMP TABLE examples (q text, n int, err text);
GRANT ALL ON ctx, readable, examples TO woo_app;
SET LOCAL ROLE woo_app;
SELECT woo.set_store('f0000000-0000-4000-8000-000000000031');
SELECT woo.upsert_orders('f0000000-0000-4000-8000-000000000031', $$[
  {"id": 1, "status": "completed", "total": "30.00", "currency": "JPY", "date_created_gmt": "2024-01-01T10:00:00", "customer_id": 3,
   "coupon_lines": [{"code": "new"}], "line_items": [{"product_id": 5, "name": "Cup", "quantity": 2, "total": "30.00"}],
   "refunds": [{"id": 8, "total": "-3.00", "reason": "chipped"}]}]$$);
INSERT INTO ctx SELECT woo.ai_context(), woo.ai_context_jsonb();

SELECT ok(octet_length((SELECT t FROM ctx)) <= 16384, 'ai_context() is at most 16 KB');
SELECT ok(position('Time zone: Asia/Tokyo' IN (SELECT t FROM ctx)) > 0 AND position('Currency: JPY' IN (SELECT t FROM ctx)) > 0
          AND position('Excluded statuses (never counted in sales): failed, cancelled' IN (SELECT t FROM ctx)) > 0,
          'it names the store''s time zone, currency and excluded statuses');
SELECT is((SELECT array_agg(r->>'name') FROM (SELECT r FROM ctx, jsonb_array_elements(j->'relations') WITH ORDINALITY AS e(r, i) WHERE i <= 4) x),
          ARRAY['metrics_daily', 'metrics_product_daily', 'metrics_coupon_daily', 'customer_segments'], 'the canonical views come first');
SELECT ok(position('### metrics_daily (view)' IN (SELECT t FROM ctx)) < position('### orders (table)' IN (SELECT t FROM ctx)),
          'the text lists metrics_daily before orders');
SELECT ok(position('net_sales = gross_sales - discounts - refunds' IN (SELECT t FROM ctx)) > 0, 'it gives the metric definitions');

-- Everything it mentions is readable through woo.ai_query.
DO $$
DECLARE
    r jsonb;
BEGIN
    FOR r IN SELECT x FROM ctx, jsonb_array_elements(j->'relations') x LOOP
        BEGIN
            PERFORM * FROM woo.ai_query(format('SELECT %s FROM %I LIMIT 1',
                (SELECT string_agg(quote_ident(c->>'name'), ', ') FROM jsonb_array_elements(r->'columns') c), r->>'name'));
            INSERT INTO readable VALUES (r->>'name', true, NULL);
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO readable VALUES (r->>'name', false, SQLERRM);
        END;
    END LOOP;
END $$;
SELECT ok((SELECT count(*) FROM readable) >= 10, 'ten or more relations are described');
SELECT is_empty($$SELECT rel, err FROM readable WHERE NOT ok$$, 'every relation and column it describes is readable through woo.ai_query');
DO $$
DECLARE
    x jsonb;
    n int;
BEGIN
    FOR x IN SELECT e FROM ctx, jsonb_array_elements(j->'examples') e LOOP
        BEGIN
            SELECT count(*) INTO n FROM woo.ai_query(x->>'sql');
            INSERT INTO examples VALUES (x->>'question', n, NULL);
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO examples VALUES (x->>'question', NULL, SQLERRM);
        END;
    END LOOP;
END $$;
SELECT is_empty($$SELECT q, err FROM examples WHERE err IS NOT NULL$$, 'every example runs through woo.ai_query');
SELECT ok((SELECT count(*) FROM examples WHERE n > 0) = (SELECT count(*) FROM examples), 'every example returns rows on this store');
SELECT ok(position((SELECT x->>'sql' FROM ctx, jsonb_array_elements(j->'examples') x LIMIT 1) IN (SELECT t FROM ctx)) > 0,
          'the text shows the examples'' SQL');
RESET ROLE;

-- Nothing hidden from woo_ai is mentioned: every column or relation woo_ai cannot read.
SELECT is_empty(
    $$SELECT c.relname, a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       WHERE c.relnamespace IN ('public'::regnamespace, 'woo'::regnamespace) AND c.relkind IN ('r', 'v')
         AND NOT has_column_privilege('woo_ai', c.oid, a.attnum, 'SELECT')
         AND a.attname NOT IN (SELECT a2.attname FROM pg_attribute a2 JOIN pg_class c2 ON c2.oid = a2.attrelid
                                WHERE c2.relnamespace = 'public'::regnamespace AND a2.attnum > 0
                                  AND has_column_privilege('woo_ai', c2.oid, a2.attnum, 'SELECT'))
         AND ((SELECT t FROM ctx) ~ ('\m' || c.relname || '\.' || a.attname || '\M')          -- as table.column
              OR (SELECT t FROM ctx) ~ ('(^|\n)- ' || a.attname || ' ')                       -- as a listed column
              OR (a.attname ~ '_' AND (SELECT t FROM ctx) ~ ('\m' || a.attname || '\M'))     -- an identifier anywhere
              OR (c.relname IN ('stores', 'customers') AND (SELECT t FROM ctx) ~ ('\m' || a.attname || '\M')))$$,
    'no column woo_ai cannot read (stores.api_key_hash, stores.settings, customers.email_hash, woo.* tables) is named');
SELECT is_empty(
    $$SELECT c.relname FROM pg_class c WHERE c.relnamespace IN ('public'::regnamespace, 'woo'::regnamespace) AND c.relkind IN ('r', 'v')
         AND NOT has_any_column_privilege('woo_ai', c.oid, 'SELECT') AND (SELECT t FROM ctx) ~ ('\m' || c.relname || '\M')$$,
    'no relation woo_ai cannot read (woo.ingest_rejects, woo.load_checkpoints) is named');
SELECT is_empty(
    $$SELECT r->>'name', c->>'name' FROM ctx, jsonb_array_elements(j->'relations') r, jsonb_array_elements(r->'columns') c
       WHERE NOT has_column_privilege('woo_ai', ('public.' || quote_ident(r->>'name'))::regclass, c->>'name', 'SELECT')$$,
    'every column the jsonb variant lists is one woo_ai may read');

-- Comments for a model: every table, view and column woo_ai can read has one.
SELECT is_empty(
    $$SELECT c.relname, a.attname FROM pg_class c
        LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             AND has_column_privilege('woo_ai', c.oid, a.attnum, 'SELECT')
       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v') AND has_any_column_privilege('woo_ai', c.oid, 'SELECT')
         AND (obj_description(c.oid, 'pg_class') IS NULL OR (a.attnum IS NOT NULL AND col_description(c.oid, a.attnum) IS NULL))$$,
    'every relation woo_ai can read, and each of its readable columns, has a COMMENT');

SELECT * FROM finish();
ROLLBACK;
