-- Issue 9: the tenant binding ends with its transaction, and AI roles are read-only in
-- the catalog too. What one connection can show is here; what needs a later transaction,
-- a second client, a pooler or a new connection (PGOPTIONS, role settings, the pin of an
-- AI login at connection) is in scripts/test-binding.sh (pgbouncer, transaction mode).
BEGIN;
SELECT plan(39);

INSERT INTO stores (id, store_url, api_key_hash) VALUES
    ('a3300000-0000-4000-8000-000000000000', 'https://a33.example', 'h'),
    ('b3300000-0000-4000-8000-000000000000', 'https://b33.example', 'h');
INSERT INTO orders (store_id, wc_order_id, date_created, status, total)
SELECT s, g, now(), 'completed', 1
  FROM (VALUES ('a3300000-0000-4000-8000-000000000000'::uuid, 3), ('b3300000-0000-4000-8000-000000000000'::uuid, 2)) v(s, k),
       generate_series(1, k) g;
CREATE ROLE tap33_app IN ROLE woo_app;

-- 1. Session-level bindings fail loudly, for the application and for a superuser ---------------
SELECT throws_ok($$SET woo.store_id = 'a3300000-0000-4000-8000-000000000000'$$, '25000',
                 'SET woo.store_id binds a store for the session; a store may be bound for one transaction only',
                 'superuser: a session-level SET woo.store_id is refused');
SELECT throws_ok($$SET SESSION woo.store_id = 'a3300000-0000-4000-8000-000000000000'$$, '25000', NULL,
                 'superuser: SET SESSION woo.store_id is refused');
SET LOCAL ROLE woo_app;
SELECT throws_ok($$SET woo.store_id = 'a3300000-0000-4000-8000-000000000000'$$, '25000', NULL,
                 'woo_app: a session-level SET woo.store_id is refused');
SELECT throws_ok('SELECT count(*) FROM orders', '42501', 'no store is bound to this transaction', 'woo_app: … and nothing was bound');
-- the doors that stay open: SET LOCAL and woo.set_store, for this transaction
SET LOCAL woo.store_id = 'a3300000-0000-4000-8000-000000000000';
SELECT is((SELECT count(*) FROM orders), 3::bigint, 'woo_app: SET LOCAL woo.store_id binds store A');
SELECT is(woo.set_store('b3300000-0000-4000-8000-000000000000'), 'b3300000-0000-4000-8000-000000000000'::uuid, 'woo_app: woo.set_store(B)');
SELECT is((SELECT count(*) FROM orders), 2::bigint, 'woo_app: woo.set_store binds store B');
SELECT lives_ok($$SELECT set_config('woo.store_id', 'a3300000-0000-4000-8000-000000000000', true)$$, 'woo_app: set_config(…, true) runs');
SELECT is((SELECT count(*) FROM orders), 3::bigint, 'woo_app: set_config(…, true) binds store A');
-- unbinding is always allowed
SELECT lives_ok('RESET woo.store_id', 'woo_app: RESET woo.store_id runs');
SELECT throws_ok('SELECT count(*) FROM orders', '42501', 'no store is bound to this transaction', 'woo_app: after RESET woo.store_id nothing is bound');
SET LOCAL woo.store_id = 'a3300000-0000-4000-8000-000000000000';
SELECT lives_ok('SET woo.store_id TO DEFAULT', 'woo_app: SET woo.store_id TO DEFAULT runs');
SELECT throws_ok('SELECT count(*) FROM orders', '42501', NULL, 'woo_app: … and unbinds');
SET LOCAL woo.store_id = 'a3300000-0000-4000-8000-000000000000';
RESET ALL;
SELECT throws_ok('SELECT count(*) FROM orders', '42501', 'no store is bound to this transaction', 'woo_app: RESET ALL unbinds');
RESET ROLE;

-- a parallel query: each worker gets the leader's binding (and does not mistake it for a session-level one)
INSERT INTO orders (store_id, wc_order_id, date_created, status, total)
SELECT 'b3300000-0000-4000-8000-000000000000', g, now(), 'completed', 1 FROM generate_series(100, 20099) g;
ANALYZE orders;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_leader_participation = off;
SET LOCAL woo.store_id = 'b3300000-0000-4000-8000-000000000000';
SET LOCAL ROLE woo_app;
SELECT is((SELECT count(*) FROM orders WHERE total > 0), 20002::bigint, 'woo_app: a parallel scan (workers only) sees store B''s rows');
RESET ROLE;
SET LOCAL max_parallel_workers_per_gather TO DEFAULT;
SET LOCAL parallel_leader_participation TO DEFAULT;

-- 2. Stored bindings are refused when they are written --------------------------------------
SET LOCAL ROLE tap33_app;
SELECT throws_ok($$ALTER ROLE CURRENT_USER SET woo.store_id = 'a3300000-0000-4000-8000-000000000000'$$, '42501',
                 'invalid value for parameter "woo.store_id": "a3300000-0000-4000-8000-000000000000"',
                 'a member of woo_app (which holds SET on woo.store_id) cannot ALTER ROLE <self> SET woo.store_id');
RESET ROLE;
SELECT is((SELECT count(*) FROM pg_db_role_setting WHERE setrole = 'tap33_app'::regrole), 0::bigint, '… nothing was stored');
SELECT lives_ok($$ALTER ROLE tap33_app SET woo.store_id = 'a3300000-0000-4000-8000-000000000000'$$,
                'a superuser may still store one (woo.create_ai_login does); it binds only AI logins (test-binding.sh)');

-- 3. woo_ai is read-only in the catalog and cannot loosen its limits ------------------------
SET LOCAL woo.store_id = 'a3300000-0000-4000-8000-000000000000';
SET LOCAL ROLE woo_ai;
SELECT throws_ok('ALTER ROLE woo_ai SET statement_timeout = 0', '42501', 'AI logins may not run ALTER ROLE (role settings and passwords of AI logins are fixed by the administrator)',
                 'woo_ai: ALTER ROLE <self> SET is refused');
SELECT throws_ok('ALTER ROLE woo_ai RESET ALL', '42501', NULL, 'woo_ai: ALTER ROLE <self> RESET ALL is refused');
SELECT throws_ok($$ALTER ROLE woo_ai PASSWORD 'x'$$, '42501', NULL, 'woo_ai: ALTER ROLE <self> PASSWORD is refused');
SELECT throws_ok('LISTEN tap33', '42501', 'AI logins may not run LISTEN', 'woo_ai: LISTEN is refused');
SELECT throws_ok('NOTIFY tap33', '42501', 'AI logins may not run NOTIFY', 'woo_ai: NOTIFY is refused');
SELECT throws_ok('SET statement_timeout = 0', '42501', 'AI logins may not change statement_timeout', 'woo_ai: SET statement_timeout is refused');
SELECT throws_ok('SET LOCAL lock_timeout = 0', '42501', NULL, 'woo_ai: SET LOCAL lock_timeout is refused');
SELECT throws_ok('SET idle_in_transaction_session_timeout = 0', '42501', NULL, 'woo_ai: SET idle_in_transaction_session_timeout is refused');
SELECT throws_ok($$SET "Statement_Timeout" = 0$$, '42501', NULL, 'woo_ai: … whatever the case of the name');
SELECT throws_ok($$SET work_mem = '4GB'$$, '42501', 'AI logins may not change work_mem', 'woo_ai: SET work_mem is refused');
SELECT throws_ok('SET search_path = public', '42501', 'AI logins may not change search_path', 'woo_ai: SET search_path is refused');
SELECT throws_ok('SET default_transaction_read_only = off', '42501', NULL, 'woo_ai: SET default_transaction_read_only is refused');
SELECT throws_ok('SET TRANSACTION READ WRITE', '42501', 'AI logins may not make a transaction or the session READ WRITE',
                 'woo_ai: SET TRANSACTION READ WRITE is refused');
SELECT throws_ok('SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE', '42501', NULL,
                 'woo_ai: SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE is refused');
SELECT throws_ok($$COPY orders FROM '/dev/null'$$, '42501', 'AI logins may not run COPY ... FROM (an AI login writes nothing)', 'woo_ai: COPY FROM is refused');
SELECT throws_ok('CREATE TEMP TABLE tap33 (x int)', '42501', 'AI logins may not run CREATE TABLE', 'woo_ai: any other utility is refused, by name');
-- what stays allowed
SELECT lives_ok($$SET LOCAL TimeZone = 'UTC'$$, 'woo_ai: SET of another setting runs');
SELECT lives_ok('SET TRANSACTION ISOLATION LEVEL READ COMMITTED', 'woo_ai: SET TRANSACTION without READ WRITE runs');
SELECT lives_ok('SHOW statement_timeout', 'woo_ai: SHOW runs');
SELECT lives_ok('EXPLAIN SELECT count(*) FROM orders', 'woo_ai: EXPLAIN runs');
SELECT is((SELECT count(*) FROM orders), 3::bigint, 'woo_ai: and reads store A');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
