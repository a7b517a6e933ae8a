-- Issue 9: nothing crosses between model SQL and its caller's session, no tenant identifier
-- in a catalog woo_ai can read, and errors a model can act on.
BEGIN;
SELECT plan(27);

INSERT INTO stores (id, store_url, api_key_hash) VALUES
    ('a3500000-0000-4000-8000-000000000000', 'https://a35.example', 'h'),
    ('b3500000-0000-4000-8000-000000000000', 'https://b35.example', 'h');
INSERT INTO customers (id, store_id, wc_customer_id, email_hash, display_name) VALUES
    ('a3500000-0000-4000-8000-000000000031', 'a3500000-0000-4000-8000-000000000000', 1, repeat('a', 64), 'A');
SELECT woo.create_ai_login('b3500000-0000-4000-8000-000000000000', 'tap35_ai_b', 'pw');

-- The application's session state, as a pooled connection would carry it from earlier clients.
SET LOCAL woo.store_id = 'a3500000-0000-4000-8000-000000000000';
SET LOCAL ROLE woo_app;
PREPARE tap35_other_tenant AS SELECT * FROM orders WHERE store_id = 'b3500000-0000-4000-8000-000000000000';
DECLARE tap35_cursor CURSOR FOR SELECT 'b3500000-0000-4000-8000-000000000000' AS other;
SET LOCAL app.tap35_secret = 'b3500000-0000-4000-8000-000000000000';

-- 1. The caller's session, seen from model SQL ---------------------------------------------------
SELECT throws_ok($$SELECT * FROM woo.ai_query('SELECT name, statement FROM pg_prepared_statements')$$, '42501',
                 'permission denied for view pg_prepared_statements', 'ai_query: the caller''s prepared statements are not readable');
SELECT throws_ok($$SELECT * FROM woo.ai_query('SELECT * FROM pg_catalog.pg_prepared_statement()')$$, '42501', NULL,
                 'ai_query: … nor through the function behind the view');
SELECT throws_ok($$SELECT * FROM woo.ai_query('SELECT name, statement FROM pg_cursors')$$, '42501',
                 'permission denied for view pg_cursors', 'ai_query: the caller''s cursors are not readable');
SELECT throws_ok($$SELECT * FROM woo.ai_query('SELECT gid FROM pg_prepared_xacts')$$, '42501', NULL, 'ai_query: prepared transactions are not readable');
SELECT throws_ok($$SELECT * FROM woo.ai_query($q$SELECT current_setting('app.tap35_secret') AS s$q$)$$, '42501',
                 'permission denied for function current_setting', 'ai_query: the caller''s custom settings are not readable (current_setting)');
SELECT throws_ok($$SELECT * FROM woo.ai_query($q$SELECT setting FROM pg_settings WHERE name = 'app.tap35_secret'$q$)$$, '42501',
                 'permission denied for view pg_settings', 'ai_query: … nor through pg_settings');
SELECT throws_ok($$SELECT * FROM woo.ai_query('SHOW app.tap35_secret')$$, '42501', NULL, 'ai_query: … nor with SHOW');
-- 2. State model SQL could leave behind -----------------------------------------------------------
SELECT throws_ok($$SELECT * FROM woo.ai_query('SELECT setseed(0.42)')$$, '42501', 'permission denied for function setseed',
                 'ai_query: setseed (the caller''s next random() values) is not executable');
SELECT throws_ok($$SELECT * FROM woo.ai_query('SELECT pg_advisory_lock(35)')$$, '42501', 'permission denied for function pg_advisory_lock',
                 'ai_query: advisory locks (held by the caller''s session after the call) are not executable');
SELECT throws_ok($$SELECT * FROM woo.ai_query('SELECT lastval()')$$, '42501', 'permission denied for function lastval',
                 'ai_query: lastval() (the caller''s last sequence value) is not executable');
SELECT throws_ok($$SELECT * FROM woo.ai_query('PREPARE p AS SELECT 1')$$, '42501', NULL, 'ai_query: PREPARE is refused (nothing left in the session)');
SELECT throws_ok($$SELECT * FROM woo.ai_query('DECLARE c CURSOR FOR SELECT 1')$$, '42501', NULL, 'ai_query: DECLARE is refused');
-- 3. SQL in a string --------------------------------------------------------------------------------
SELECT throws_ok($$SELECT * FROM woo.ai_query($q$SELECT * FROM ts_stat('SELECT to_tsvector(display_name) FROM customers')$q$)$$, '42501',
                 'permission denied for function ts_stat', 'ai_query: ts_stat(text) (runs SQL given as a string) is not executable');
SELECT throws_ok($$SELECT * FROM woo.ai_query($q$SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, ''b''::tsquery')$q$)$$, '42501',
                 'permission denied for function ts_rewrite', 'ai_query: ts_rewrite(tsquery, text) is not executable');
SELECT lives_ok($$SELECT * FROM woo.ai_query($q$SELECT ts_rewrite('a'::tsquery, 'a'::tsquery, 'b'::tsquery) AS r$q$)$$,
                'ai_query: ts_rewrite without SQL text still runs');
-- the caller still has what it needs
SELECT lives_ok($$SELECT current_setting('app.tap35_secret'), setseed(0.5)$$, 'woo_app keeps current_setting and setseed');
SELECT is((SELECT count(*) FROM pg_prepared_statements WHERE name = 'tap35_other_tenant'), 1::bigint, 'woo_app keeps pg_prepared_statements');
RESET ROLE;

-- 4. Tenant identifiers in the catalog ---------------------------------------------------------------
SET LOCAL ROLE woo_app;
SELECT throws_ok($$SELECT * FROM woo.ai_query('SELECT rolname, rolconfig FROM pg_roles')$$, '42501', 'permission denied for column rolconfig of table pg_roles',
                 'ai_query: pg_roles.rolconfig (where AI logins are pinned to their store) is not readable');
SELECT throws_ok($$SELECT * FROM woo.ai_query('SELECT usename, useconfig FROM pg_user')$$, '42501', 'permission denied for column useconfig of table pg_user',
                 'ai_query: pg_user.useconfig is not readable');
SELECT throws_ok($$SELECT * FROM woo.ai_query('SELECT * FROM pg_db_role_setting')$$, '42501', 'permission denied for table pg_db_role_setting',
                 'ai_query: pg_db_role_setting is not readable');
SELECT results_eq($$SELECT r FROM woo.ai_query('SELECT rolname FROM pg_roles WHERE rolname = ''tap35_ai_b''') r$$,
                  $$VALUES ('{"rolname": "tap35_ai_b"}'::jsonb)$$, 'ai_query: the other columns of pg_roles stay readable (role names remain: see docs/security.md)');
RESET ROLE;
SET LOCAL ROLE woo_ai;
SELECT throws_ok('SELECT rolconfig FROM pg_roles', '42501', NULL, 'direct: woo_ai cannot read pg_roles.rolconfig either');
SELECT throws_ok('SELECT setconfig FROM pg_db_role_setting', '42501', NULL, 'direct: nor pg_db_role_setting');
RESET ROLE;

-- 5. Errors a model can act on -------------------------------------------------------------------------
CREATE FUNCTION pg_temp.error_detail(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text; h text;
BEGIN
    PERFORM * FROM woo.ai_query(q);
    RETURN NULL;
EXCEPTION WHEN insufficient_privilege THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
    RETURN d || ' | ' || h;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.error_detail(text) TO woo_app;
SET LOCAL ROLE woo_app;
SELECT throws_ok($$SELECT * FROM woo.ai_query('SELECT * FROM customers LIMIT 3')$$, '42501',
                 'permission denied for column email_hash, payload_hash of table customers',
                 'ai_query: SELECT * over customers names the columns it may not read');
SELECT is(pg_temp.error_detail('SELECT * FROM customers LIMIT 3'),
          'Readable columns of customers: id, store_id, wc_customer_id, display_name, total_spent, order_count, first_order_date, last_order_date, created_at. | Name the readable columns you need instead of customers.* or a whole-row reference.',
          'ai_query: … and lists the columns it may read, and what to do');
SELECT results_eq($$SELECT r FROM woo.ai_query('SELECT id, display_name FROM customers') r$$,
                  $$VALUES ('{"id": "a3500000-0000-4000-8000-000000000031", "display_name": "A"}'::jsonb)$$,
                  'ai_query: naming the readable columns works');
SELECT throws_ok($$SELECT * FROM woo.ai_query('DELETE FROM orders')$$, '42501', 'woo.ai_query refused the statement: only SELECT is allowed',
                 'ai_query: a refused statement says what is allowed (hint: one read-only SELECT)');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
