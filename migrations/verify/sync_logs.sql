-- Verify pg_woocommerce:sync_logs on pg
-- Fails (undefined column / division by zero) when anything is missing.
SELECT id, store_id, sync_type, records_synced, started_at, completed_at, status, error_message, retry_count, next_retry_at
  FROM public.sync_logs WHERE false;
SELECT 1 / count(*)::int FROM pg_constraint WHERE conrelid = 'public.sync_logs'::regclass AND contype = 'p';
