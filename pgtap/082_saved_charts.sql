-- Saved charts (1.5), as woo_app under RLS: save_chart's query passes exactly woo.ai_query's
-- gate (same refusals, same errors), chart_config is declarative and capped, positions stay
-- dense and unique per store, run_chart runs through woo.ai_query, and a chart of another
-- store is not found by any chart function.
BEGIN;
SELECT plan(34);

INSERT INTO stores (id, store_url, api_key_hash) VALUES
    ('a0000000-0000-4000-8000-000000000000', 'https://a.example', 'x'),
    ('b0000000-0000-4000-8000-000000000000', 'https://b.example', 'x');
INSERT INTO coupons (store_id, wc_coupon_id, code, amount) VALUES
    ('a0000000-0000-4000-8000-000000000000', 1, 'a-one', 5), ('a0000000-0000-4000-8000-000000000000', 2, 'a-two', 7),
    ('b0000000-0000-4000-8000-000000000000', 1, 'b-one', 9);
INSERT INTO saved_charts (id, store_id, title, query_text, chart_config, position_index) VALUES
    ('b0000000-0000-4000-8000-0000000000c0', 'b0000000-0000-4000-8000-000000000000', 'B first', 'SELECT 1', '{"type": "number"}', 0),
    ('b0000000-0000-4000-8000-0000000000c1', 'b0000000-0000-4000-8000-000000000000', 'B second', 'SELECT 2', '{"type": "number"}', 1);

-- The error (SQLSTATE and message) a statement raises, or 'ok'.
CREATE FUNCTION pg_temp.err(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
CREATE TEMP TABLE bad (q text);
INSERT INTO bad VALUES ('DELETE FROM orders'), ('SELECT 1; DELETE FROM orders'), ('WITH x AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM x'),
                       ('SELECT * FROM orders FOR UPDATE'), ('SELECT 1 INTO TEMP t'), (''), ('SELECT 1) AS q; DELETE FROM orders; SELECT (1'),
                       ('UPDATE stores SET plan = ''pro'''), ('SELECT * FROM coupons LIMIT 1 FOR SHARE');
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid);
GRANT SELECT ON bad TO woo_app;
GRANT SELECT, INSERT ON ids TO woo_app;

SET LOCAL ROLE woo_app;
SELECT throws_ok($$SELECT woo.save_chart('a0000000-0000-4000-8000-000000000000', 't', 'SELECT 1', '{"type": "bar"}')$$,
                 '42501', 'no store is bound to this transaction', 'save_chart needs a bound store');
SELECT woo.set_store('a0000000-0000-4000-8000-000000000000');

-- save_chart and positions ------------------------------------------------------------------------
INSERT INTO ids SELECT 'count', woo.save_chart('a0000000-0000-4000-8000-000000000000', 'Coupons', 'SELECT count(*) AS n FROM coupons', '{"type": "number"}');
INSERT INTO ids SELECT 'amounts', woo.save_chart('a0000000-0000-4000-8000-000000000000', 'Amounts',
                                                 'SELECT code, amount FROM coupons ORDER BY code',
                                                 '{"type": "bar", "x": "code", "y": ["amount"], "colors": ["#336699"], "legend": false}');
INSERT INTO ids SELECT 'third', woo.save_chart('a0000000-0000-4000-8000-000000000000', 'Third', 'SELECT 3 AS x', '{"type": "table"}');
SELECT results_eq($$SELECT title::text, position_index FROM saved_charts ORDER BY position_index$$,
                  $$VALUES ('Coupons', 0), ('Amounts', 1), ('Third', 2)$$, 'charts saved without a position go last: 0, 1, 2');
INSERT INTO ids SELECT 'middle', woo.save_chart('a0000000-0000-4000-8000-000000000000', 'Middle', 'SELECT 1 AS one', '{"type": "number"}', 1);
SELECT results_eq($$SELECT title::text, position_index FROM saved_charts ORDER BY position_index$$,
                  $$VALUES ('Coupons', 0), ('Middle', 1), ('Amounts', 2), ('Third', 3)$$, 'a chart saved at position 1 shifts the rest');
SELECT throws_ok($$SELECT woo.save_chart('a0000000-0000-4000-8000-000000000000', 't', 'SELECT 1', '{"type": "bar"}', 5)$$,
                 '22023', 'position_index: must be between 0 and 4 (the store has 4 charts), not 5', 'a position past the end is refused');
SELECT throws_ok($$SELECT woo.save_chart('a0000000-0000-4000-8000-000000000000', 't', 'SELECT 1', '{"type": "bar"}', -1)$$,
                 '22023', 'position_index: must be between 0 and 4 (the store has 4 charts), not -1', 'a negative position is refused');
SELECT throws_ok($$SELECT woo.save_chart('b0000000-0000-4000-8000-000000000000', 't', 'SELECT 1', '{"type": "bar"}')$$,
                 '42501', 'store_id b0000000-0000-4000-8000-000000000000 is not the store bound to this transaction',
                 'a chart cannot be saved into another store');
SELECT throws_ok($$SELECT woo.save_chart('a0000000-0000-4000-8000-000000000000', '  ', 'SELECT 1', '{"type": "bar"}')$$,
                 '22023', 'title: must not be empty', 'an empty title is refused');
SELECT throws_ok($$SELECT woo.save_chart('a0000000-0000-4000-8000-000000000000', 't', NULL, '{"type": "bar"}')$$,
                 '22004', 'woo.save_chart: store_id, title, query_text and chart_config are required', 'query_text is required');

-- The gate: exactly woo.ai_query's refusals ----------------------------------------------------
SELECT is_empty($$SELECT q, pg_temp.err(format('SELECT woo.save_chart(%L, %L, %L, %L)', 'a0000000-0000-4000-8000-000000000000', 't', q, '{"type": "bar"}')),
                        pg_temp.err(format('SELECT * FROM woo.ai_query(%L)', q))
                   FROM bad
                  WHERE pg_temp.err(format('SELECT woo.save_chart(%L, %L, %L, %L)', 'a0000000-0000-4000-8000-000000000000', 't', q, '{"type": "bar"}'))
                        IS DISTINCT FROM pg_temp.err(format('SELECT * FROM woo.ai_query(%L)', q))
                     OR pg_temp.err(format('SELECT * FROM woo.ai_query(%L)', q)) = 'ok'$$,
                'save_chart refuses each of 9 hostile statements with exactly woo.ai_query''s SQLSTATE and message');
SELECT is((SELECT count(*) FROM saved_charts), 4::bigint, 'no refused chart was saved');
SELECT is(pg_temp.err($$SELECT woo.update_chart((SELECT id FROM ids WHERE name = 'third'), query_text => 'DELETE FROM orders')$$),
          pg_temp.err($$SELECT * FROM woo.ai_query('DELETE FROM orders')$$), 'update_chart refuses a query with woo.ai_query''s error');
SELECT is(pg_temp.err($$SELECT woo.check_ai_query('SELECT 1; SELECT 2')$$),
          pg_temp.err($$SELECT * FROM woo.ai_query('SELECT 1; SELECT 2')$$), 'woo.check_ai_query is woo.ai_query''s gate');

-- chart_config ---------------------------------------------------------------------------------------
SELECT throws_ok($$SELECT woo.save_chart('a0000000-0000-4000-8000-000000000000', 't', 'SELECT 1', '{"type": "bar", "formatter": "function (v) { return v }"}')$$,
                 '22023', 'chart_config: unknown option "formatter" (allowed: type, x, y, series, x_label, y_label, stacked, legend, colors, sort)',
                 'code-carrying options are refused');
SELECT throws_ok($$SELECT woo.save_chart('a0000000-0000-4000-8000-000000000000', 't', 'SELECT 1', '{"type": "gauge"}')$$,
                 '22023', 'chart_config.type: "gauge" is not a chart type (area, bar, donut, line, number, pie, scatter, table)',
                 'an unknown chart type is refused');
SELECT throws_ok($$SELECT woo.save_chart('a0000000-0000-4000-8000-000000000000', 't', 'SELECT 1', '{"x": "code"}')$$,
                 '22023', 'chart_config.type: is required', 'a chart type is required');
SELECT throws_ok($$SELECT woo.save_chart('a0000000-0000-4000-8000-000000000000', 't', 'SELECT 1', '{"type": "bar", "stacked": "yes"}')$$,
                 '22023', 'chart_config.stacked: must be a boolean, not a string', 'a wrong type is refused, the option named');
SELECT throws_ok($$SELECT woo.save_chart('a0000000-0000-4000-8000-000000000000', 't', 'SELECT 1', '["bar"]')$$,
                 '22023', 'chart_config: must be a JSON object', 'chart_config must be an object');
SELECT throws_ok($$SELECT woo.save_chart('a0000000-0000-4000-8000-000000000000', 't', 'SELECT 1',
                                         jsonb_build_object('type', 'bar', 'x_label', repeat('a', 150), 'y_label', repeat('b', 150),
                                                            'colors', (SELECT jsonb_agg('#abcdef'::text) FROM generate_series(1, 20)),
                                                            'y', (SELECT jsonb_agg(repeat('c', 60) || i) FROM generate_series(1, 10) i)) ||
                                         jsonb_build_object('x', repeat('d', 63), 'series', repeat('e', 63)) ||
                                         (SELECT jsonb_object_agg('k' || i, repeat('v', 100)) FROM generate_series(1, 30) i))$$,
                 '54000', NULL, 'a chart_config over 4096 bytes is refused (54000)');

-- run_chart ---------------------------------------------------------------------------------------------
SELECT results_eq($$SELECT * FROM woo.run_chart((SELECT id FROM ids WHERE name = 'amounts'))$$,
                  $$SELECT * FROM woo.ai_query('SELECT code, amount FROM coupons ORDER BY code')$$,
                  'run_chart returns what woo.ai_query returns for the saved query');
SELECT results_eq($$SELECT * FROM woo.run_chart((SELECT id FROM ids WHERE name = 'amounts'), 1)$$,
                  $$VALUES ('{"code": "a-one", "amount": 5.00}'::jsonb)$$, 'run_chart: the bound store''s rows only, max_rows honoured');

-- Another store's chart is not found ---------------------------------------------------------------
SELECT throws_ok($$SELECT * FROM woo.run_chart('b0000000-0000-4000-8000-0000000000c0')$$, 'P0002',
                 'woo.run_chart: no chart b0000000-0000-4000-8000-0000000000c0 in the bound store', 'run_chart: a chart of store B is not found');
SELECT throws_ok($$SELECT woo.update_chart('b0000000-0000-4000-8000-0000000000c0', 'mine now')$$, 'P0002',
                 'woo.update_chart: no chart b0000000-0000-4000-8000-0000000000c0 in the bound store', 'update_chart: a chart of store B is not found');
SELECT throws_ok($$SELECT woo.move_chart('b0000000-0000-4000-8000-0000000000c0', 0)$$, 'P0002',
                 'woo.move_chart: no chart b0000000-0000-4000-8000-0000000000c0 in the bound store', 'move_chart: a chart of store B is not found');
SELECT throws_ok($$SELECT woo.delete_chart('b0000000-0000-4000-8000-0000000000c0')$$, 'P0002',
                 'woo.delete_chart: no chart b0000000-0000-4000-8000-0000000000c0 in the bound store', 'delete_chart: a chart of store B is not found');

-- update, move, delete ---------------------------------------------------------------------------------
RESET ROLE;
UPDATE saved_charts SET updated_at = '2024-01-01' WHERE store_id = 'a0000000-0000-4000-8000-000000000000';
SET LOCAL ROLE woo_app;
SELECT lives_ok($$SELECT woo.update_chart((SELECT id FROM ids WHERE name = 'third'), title => 'Renamed', chart_config => '{"type": "line", "x": "x"}')$$,
                'update_chart changes the given fields');
SELECT results_eq($$SELECT title::text, query_text, chart_config, updated_at FROM saved_charts WHERE id = (SELECT id FROM ids WHERE name = 'third')$$,
                  $$VALUES ('Renamed', 'SELECT 3 AS x', '{"type": "line", "x": "x"}'::jsonb, now())$$,
                  'update_chart: title and config changed, query kept, updated_at = now()');
SELECT lives_ok($$SELECT woo.move_chart((SELECT id FROM ids WHERE name = 'count'), 3)$$, 'move_chart moves the first chart last');
SELECT results_eq($$SELECT title::text, position_index FROM saved_charts ORDER BY position_index$$,
                  $$VALUES ('Middle', 0), ('Amounts', 1), ('Renamed', 2), ('Coupons', 3)$$, 'the charts in between moved up');
SELECT lives_ok($$SELECT woo.move_chart((SELECT id FROM ids WHERE name = 'third'), 0)$$, 'move_chart moves a chart to the front');
SELECT results_eq($$SELECT title::text, position_index FROM saved_charts ORDER BY position_index$$,
                  $$VALUES ('Renamed', 0), ('Middle', 1), ('Amounts', 2), ('Coupons', 3)$$, 'the charts before it moved down');
SELECT throws_ok($$SELECT woo.move_chart((SELECT id FROM ids WHERE name = 'third'), 4)$$, '22023',
                 'position_index: must be between 0 and 3 (the store has 4 charts), not 4', 'move_chart refuses a position past the end');
SELECT lives_ok($$SELECT woo.delete_chart((SELECT id FROM ids WHERE name = 'middle'))$$, 'delete_chart deletes a chart');
SELECT results_eq($$SELECT title::text, position_index FROM saved_charts ORDER BY position_index$$,
                  $$VALUES ('Renamed', 0), ('Amounts', 1), ('Coupons', 2)$$, 'positions stay dense after a delete');
RESET ROLE;
SELECT results_eq($$SELECT title::text, position_index FROM saved_charts WHERE store_id = 'b0000000-0000-4000-8000-000000000000' ORDER BY 2$$,
                  $$VALUES ('B first', 0), ('B second', 1)$$, 'store B''s charts did not move');

SELECT * FROM finish();
ROLLBACK;
