-- Verify pg_woocommerce:load_checkpoints on pg
-- Fails (undefined column / division by zero) when anything is missing.
SELECT store_id, sync_id, source, first_record, records, resource, inserted, updated, unchanged,
       skipped_stale, rejected, committed_at
  FROM woo.load_checkpoints WHERE false;
-- RLS enabled and forced, with exactly its two policies.
SELECT 1 / (relrowsecurity AND relforcerowsecurity)::int FROM pg_class WHERE oid = 'woo.load_checkpoints'::regclass;
SELECT 1 / (count(*) = 2)::int FROM pg_policy
 WHERE polrelid = 'woo.load_checkpoints'::regclass AND polname IN ('load_checkpoints_select', 'load_checkpoints_insert');
-- Owned by woo_owner; woo_app reads and inserts, woo_ai nothing.
SELECT 1 / (relowner = 'woo_owner'::regrole)::int FROM pg_class WHERE oid = 'woo.load_checkpoints'::regclass;
SELECT 1 / has_table_privilege('woo_app', 'woo.load_checkpoints', 'SELECT')::int;
SELECT 1 / has_table_privilege('woo_app', 'woo.load_checkpoints', 'INSERT')::int;
SELECT 1 / (NOT has_table_privilege('woo_ai', 'woo.load_checkpoints', 'SELECT, INSERT, UPDATE, DELETE'))::int;
-- The same-store key on sync_logs, the primary key, the foreign keys and the three CHECKs.
SELECT 1 / count(*)::int FROM pg_constraint
 WHERE conrelid = 'public.sync_logs'::regclass AND conname = 'sync_logs_store_id_id_key' AND contype = 'u'
   AND pg_get_constraintdef(oid) = 'UNIQUE (store_id, id)';
SELECT 1 / (count(*) = 1)::int FROM pg_constraint WHERE conrelid = 'woo.load_checkpoints'::regclass AND contype = 'p';
SELECT 1 / (count(*) = 2)::int FROM pg_constraint WHERE conrelid = 'woo.load_checkpoints'::regclass AND contype = 'f';
SELECT 1 / (count(*) = 1)::int FROM pg_constraint k
 WHERE k.conrelid = 'woo.load_checkpoints'::regclass AND k.contype = 'f'
   AND k.confrelid = 'public.sync_logs'::regclass AND k.confdeltype = 'c'
   AND ARRAY(SELECT attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, i)
               JOIN pg_attribute ON attrelid = k.conrelid AND attnum = u.n ORDER BY u.i) = ARRAY['store_id', 'sync_id']
   AND ARRAY(SELECT attname::text FROM unnest(k.confkey) WITH ORDINALITY u(n, i)
               JOIN pg_attribute ON attrelid = k.confrelid AND attnum = u.n ORDER BY u.i) = ARRAY['store_id', 'id'];
SELECT 1 / (count(*) = 3)::int FROM pg_constraint WHERE conrelid = 'woo.load_checkpoints'::regclass AND contype = 'c';
