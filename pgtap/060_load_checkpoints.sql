-- woo.load_checkpoints (migration load_checkpoints), the checkpoints of the bulk loader
-- woo-load: tenant isolation as woo_app (reads and inserts its bound store's rows only),
-- no access at all for woo_ai, same-store references to sync_logs even for a superuser,
-- ON DELETE CASCADE from sync_logs, the primary key and the CHECKs.
--
-- Store A is bound for woo_app; store B is "the other store". Ids are fixed so that the
-- attacker knows them (the worst case): …0091/…0092 are syncs of store A, b…0091 of store B.
BEGIN;
SELECT plan(29);

-- Fixture, as the superuser (RLS does not apply) -----------------------------------------
INSERT INTO stores (id, store_url, api_key_hash) VALUES
    ('a0000000-0000-4000-8000-000000000000', 'https://a.example', 'hash-a'),
    ('b0000000-0000-4000-8000-000000000000', 'https://b.example', 'hash-b');
INSERT INTO sync_logs (id, store_id, sync_type) VALUES
    ('a0000000-0000-4000-8000-000000000091', 'a0000000-0000-4000-8000-000000000000', 'full'),
    ('a0000000-0000-4000-8000-000000000092', 'a0000000-0000-4000-8000-000000000000', 'products'),
    ('b0000000-0000-4000-8000-000000000091', 'b0000000-0000-4000-8000-000000000000', 'full');
INSERT INTO woo.load_checkpoints (store_id, sync_id, source, first_record, records, resource,
                                  inserted, updated, unchanged, skipped_stale, rejected) VALUES
    ('a0000000-0000-4000-8000-000000000000', 'a0000000-0000-4000-8000-000000000091', '/data/a.ndjson', 1, 500, 'orders', 500, 0, 0, 0, 0),
    ('a0000000-0000-4000-8000-000000000000', 'a0000000-0000-4000-8000-000000000091', '/data/a.ndjson', 501, 500, 'orders', 490, 5, 3, 1, 1),
    ('a0000000-0000-4000-8000-000000000000', 'a0000000-0000-4000-8000-000000000092', '-', 1, 10, 'products', 10, 0, 0, 0, 0),
    ('b0000000-0000-4000-8000-000000000000', 'b0000000-0000-4000-8000-000000000091', '/data/b.ndjson', 1, 500, 'orders', 500, 0, 0, 0, 0);

-- woo_app, bound to store A ------------------------------------------------------------
SET LOCAL ROLE woo_app;
SELECT is(woo.set_store('a0000000-0000-4000-8000-000000000000'), 'a0000000-0000-4000-8000-000000000000'::uuid,
          'woo_app binds store A with woo.set_store');
SELECT results_eq(
    $$SELECT sync_id, source, first_record FROM woo.load_checkpoints ORDER BY sync_id, source, first_record$$,
    $$VALUES ('a0000000-0000-4000-8000-000000000091'::uuid, '/data/a.ndjson', 1::bigint),
             ('a0000000-0000-4000-8000-000000000091'::uuid, '/data/a.ndjson', 501::bigint),
             ('a0000000-0000-4000-8000-000000000092'::uuid, '-', 1::bigint)$$,
    'woo_app: woo.load_checkpoints shows exactly store A''s three checkpoints');
SELECT is((SELECT count(*) FROM woo.load_checkpoints WHERE store_id = 'b0000000-0000-4000-8000-000000000000'), 0::bigint,
          'woo_app: woo.load_checkpoints shows no row of store B, even when asked for it');
SELECT is((SELECT count(*) FROM woo.load_checkpoints WHERE sync_id = 'b0000000-0000-4000-8000-000000000091'), 0::bigint,
          'woo_app: resuming store B''s sync (its id known) reads no checkpoint');
-- woo.ai_query (called by woo_app, runs the AI's SQL as woo_ai) cannot read them.
SELECT throws_ok($$SELECT * FROM woo.ai_query('SELECT count(*) FROM woo.load_checkpoints')$$, '42501',
                 'permission denied for table load_checkpoints', 'ai_query: woo.load_checkpoints is not readable');

-- Inserting: its own store's checkpoints only.
SELECT lives_ok($$INSERT INTO woo.load_checkpoints (store_id, sync_id, source, first_record, records, resource,
                                                    inserted, updated, unchanged, skipped_stale, rejected)
                  VALUES ('a0000000-0000-4000-8000-000000000000', 'a0000000-0000-4000-8000-000000000092', '/data/c.ndjson',
                          1, 1, 'customers', 1, 0, 0, 0, 0)$$,
                'woo_app: inserts a checkpoint of its own store (first_record 1, records 1 are accepted)');
SELECT is((SELECT count(*) FROM woo.load_checkpoints), 4::bigint, 'woo_app: its new checkpoint is visible to it');
SELECT throws_ok($$INSERT INTO woo.load_checkpoints (store_id, sync_id, source, first_record, records, resource,
                                                     inserted, updated, unchanged, skipped_stale, rejected)
                   VALUES ('b0000000-0000-4000-8000-000000000000', 'b0000000-0000-4000-8000-000000000091', '/data/b.ndjson',
                           501, 500, 'orders', 500, 0, 0, 0, 0)$$,
                 '42501', 'new row violates row-level security policy for table "load_checkpoints"',
                 'woo_app: INSERT into woo.load_checkpoints of a checkpoint of store B (its sync) is denied');
SELECT throws_ok($$INSERT INTO woo.load_checkpoints (store_id, sync_id, source, first_record, records, resource,
                                                     inserted, updated, unchanged, skipped_stale, rejected)
                   VALUES ('b0000000-0000-4000-8000-000000000000', 'a0000000-0000-4000-8000-000000000091', '/data/a.ndjson',
                           1001, 500, 'orders', 500, 0, 0, 0, 0)$$,
                 '42501', 'new row violates row-level security policy for table "load_checkpoints"',
                 'woo_app: INSERT into woo.load_checkpoints with store_id B is denied (even for a sync of store A)');
SELECT throws_ok($$INSERT INTO woo.load_checkpoints (store_id, sync_id, source, first_record, records, resource,
                                                     inserted, updated, unchanged, skipped_stale, rejected)
                   VALUES ('a0000000-0000-4000-8000-000000000000', 'b0000000-0000-4000-8000-000000000091', '/data/b.ndjson',
                           501, 500, 'orders', 500, 0, 0, 0, 0)$$,
                 '23503', 'insert or update on table "load_checkpoints" violates foreign key constraint "load_checkpoints_store_id_sync_id_fkey"',
                 'woo_app: a checkpoint of store A cannot point to a sync of store B');
SELECT throws_ok($$INSERT INTO woo.load_checkpoints (store_id, sync_id, source, first_record, records, resource,
                                                     inserted, updated, unchanged, skipped_stale, rejected)
                   VALUES ('a0000000-0000-4000-8000-000000000000', 'b0000000-0000-4000-8000-000000000091', '/data/b.ndjson',
                           1, 500, 'orders', 500, 0, 0, 0, 0)$$,
                 '23503', 'insert or update on table "load_checkpoints" violates foreign key constraint "load_checkpoints_store_id_sync_id_fkey"',
                 'woo_app: probing the exact key of store B''s checkpoint gives the foreign-key error, not 23505 (store_id leads the key)');
SELECT throws_ok($$INSERT INTO woo.load_checkpoints (store_id, sync_id, source, first_record, records, resource,
                                                     inserted, updated, unchanged, skipped_stale, rejected)
                   VALUES ('a0000000-0000-4000-8000-000000000000', 'a0000000-0000-4000-8000-000000000091', '/data/a.ndjson',
                           501, 500, 'orders', 0, 0, 500, 0, 0)$$,
                 '23505', 'duplicate key value violates unique constraint "load_checkpoints_pkey"',
                 'woo_app: a batch (sync, source, first_record) cannot be checkpointed twice');

-- No UPDATE or DELETE privilege: checkpoints are written once, and go with their sync.
SELECT throws_ok($$UPDATE woo.load_checkpoints SET records = records$$,
                 '42501', 'permission denied for table load_checkpoints', 'woo_app: UPDATE of woo.load_checkpoints is denied (no privilege)');
SELECT throws_ok($$DELETE FROM woo.load_checkpoints$$,
                 '42501', 'permission denied for table load_checkpoints', 'woo_app: DELETE from woo.load_checkpoints is denied (no privilege)');

-- The CHECKs (store A's own rows, so only the CHECK can refuse them).
SELECT throws_ok($$INSERT INTO woo.load_checkpoints (store_id, sync_id, source, first_record, records, resource,
                                                     inserted, updated, unchanged, skipped_stale, rejected)
                   VALUES ('a0000000-0000-4000-8000-000000000000', 'a0000000-0000-4000-8000-000000000092', '/data/d.ndjson',
                           0, 1, 'orders', 1, 0, 0, 0, 0)$$,
                 '23514', 'new row for relation "load_checkpoints" violates check constraint "load_checkpoints_first_record_check"',
                 'first_record 0 is refused (positions are 1-based)');
SELECT throws_ok($$INSERT INTO woo.load_checkpoints (store_id, sync_id, source, first_record, records, resource,
                                                     inserted, updated, unchanged, skipped_stale, rejected)
                   VALUES ('a0000000-0000-4000-8000-000000000000', 'a0000000-0000-4000-8000-000000000092', '/data/d.ndjson',
                           1, 0, 'orders', 0, 0, 0, 0, 0)$$,
                 '23514', 'new row for relation "load_checkpoints" violates check constraint "load_checkpoints_records_check"',
                 'records 0 is refused (a batch has at least one record)');
SELECT throws_ok($$INSERT INTO woo.load_checkpoints (store_id, sync_id, source, first_record, records, resource,
                                                     inserted, updated, unchanged, skipped_stale, rejected)
                   VALUES ('a0000000-0000-4000-8000-000000000000', 'a0000000-0000-4000-8000-000000000092', '/data/d.ndjson',
                           1, 1, 'refunds', 1, 0, 0, 0, 0)$$,
                 '23514', 'new row for relation "load_checkpoints" violates check constraint "load_checkpoints_resource_check"',
                 'an unknown resource (refunds) is refused');

-- Deleting a sync deletes its checkpoints (the cascade runs as woo_owner, the table owner).
SELECT lives_ok($$DELETE FROM sync_logs WHERE id = 'a0000000-0000-4000-8000-000000000091'$$,
                'woo_app: deletes store A''s sync …0091, which has checkpoints');
SELECT results_eq(
    $$SELECT sync_id, source, first_record FROM woo.load_checkpoints ORDER BY sync_id, source, first_record$$,
    $$VALUES ('a0000000-0000-4000-8000-000000000092'::uuid, '-', 1::bigint),
             ('a0000000-0000-4000-8000-000000000092'::uuid, '/data/c.ndjson', 1::bigint)$$,
    'the sync''s two checkpoints went with it; those of store A''s other sync stay');
RESET ROLE;

-- Even the superuser (RLS does not apply to it) cannot link stores --------------------------
SELECT throws_ok($$INSERT INTO woo.load_checkpoints (store_id, sync_id, source, first_record, records, resource,
                                                     inserted, updated, unchanged, skipped_stale, rejected)
                   VALUES ('a0000000-0000-4000-8000-000000000000', 'b0000000-0000-4000-8000-000000000091', '/data/b.ndjson',
                           501, 500, 'orders', 500, 0, 0, 0, 0)$$,
                 '23503', 'insert or update on table "load_checkpoints" violates foreign key constraint "load_checkpoints_store_id_sync_id_fkey"',
                 'superuser: a checkpoint of store A cannot point to a sync of store B');
SELECT throws_ok($$UPDATE woo.load_checkpoints SET store_id = 'a0000000-0000-4000-8000-000000000000'
                   WHERE sync_id = 'b0000000-0000-4000-8000-000000000091'$$,
                 '23503', 'insert or update on table "load_checkpoints" violates foreign key constraint "load_checkpoints_store_id_sync_id_fkey"',
                 'superuser: store B''s checkpoint cannot be moved to store A while it points to store B''s sync');
SELECT throws_ok($$UPDATE sync_logs SET store_id = 'a0000000-0000-4000-8000-000000000000'
                   WHERE id = 'b0000000-0000-4000-8000-000000000091'$$,
                 '23503', 'update or delete on table "sync_logs" violates foreign key constraint "load_checkpoints_store_id_sync_id_fkey" on table "load_checkpoints"',
                 'superuser: store B''s sync cannot be moved to store A while it has checkpoints of store B');
SELECT throws_ok($$INSERT INTO woo.load_checkpoints (store_id, sync_id, source, first_record, records, resource,
                                                     inserted, updated, unchanged, skipped_stale, rejected)
                   VALUES ('a0000000-0000-4000-8000-000000000000', 'a0000000-0000-4000-8000-00000000009f', '/data/a.ndjson',
                           1, 1, 'orders', 1, 0, 0, 0, 0)$$,
                 '23503', 'insert or update on table "load_checkpoints" violates foreign key constraint "load_checkpoints_store_id_sync_id_fkey"',
                 'superuser: a checkpoint of a sync that does not exist is refused');
SELECT results_eq(
    $$SELECT store_id, sync_id, source, first_record, records, resource::text, inserted, updated, unchanged, skipped_stale, rejected
        FROM woo.load_checkpoints WHERE store_id = 'b0000000-0000-4000-8000-000000000000'$$,
    $$VALUES ('b0000000-0000-4000-8000-000000000000'::uuid, 'b0000000-0000-4000-8000-000000000091'::uuid, '/data/b.ndjson',
              1::bigint, 500, 'orders', 500, 0, 0, 0, 0)$$,
    'superuser: store B''s checkpoint is unchanged by everything woo_app tried');
SELECT is((SELECT count(*) FROM woo.load_checkpoints), 3::bigint,
          'superuser: three checkpoints in all (store A''s two of sync …0092, store B''s one)');

-- woo_ai, store A bound by the superuser before the role switch: no privilege at all --------
SET LOCAL woo.store_id = 'a0000000-0000-4000-8000-000000000000';
SET LOCAL ROLE woo_ai;
SELECT throws_ok('SELECT count(*) FROM woo.load_checkpoints', '42501', 'permission denied for table load_checkpoints',
                 'woo_ai: woo.load_checkpoints is not readable at all');
SELECT throws_ok($$INSERT INTO woo.load_checkpoints (store_id, sync_id, source, first_record, records, resource,
                                                     inserted, updated, unchanged, skipped_stale, rejected)
                   VALUES ('a0000000-0000-4000-8000-000000000000', 'a0000000-0000-4000-8000-000000000092', '/data/e.ndjson',
                           1, 1, 'orders', 1, 0, 0, 0, 0)$$,
                 '42501', 'permission denied for table load_checkpoints', 'woo_ai: INSERT into woo.load_checkpoints is denied');
RESET ROLE;

-- No store bound: woo_app's reads and writes fail (42501), never "all stores" ----------------
SET LOCAL woo.store_id TO DEFAULT;
SET LOCAL ROLE woo_app;
SELECT throws_ok('SELECT count(*) FROM woo.load_checkpoints', '42501', 'no store is bound to this transaction',
                 'woo_app, no store bound: SELECT from woo.load_checkpoints fails');
SELECT throws_ok($$INSERT INTO woo.load_checkpoints (store_id, sync_id, source, first_record, records, resource,
                                                     inserted, updated, unchanged, skipped_stale, rejected)
                   VALUES ('a0000000-0000-4000-8000-000000000000', 'a0000000-0000-4000-8000-000000000092', '/data/e.ndjson',
                           1, 1, 'orders', 1, 0, 0, 0, 0)$$,
                 '42501', 'no store is bound to this transaction', 'woo_app, no store bound: INSERT into woo.load_checkpoints fails');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
