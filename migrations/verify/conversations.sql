-- Verify pg_woocommerce:conversations on pg
-- Fails (undefined column / division by zero) when anything is missing.
SELECT id, store_id, messages, created_at, updated_at
  FROM public.conversations WHERE false;
SELECT 1 / count(*)::int FROM pg_constraint WHERE conrelid = 'public.conversations'::regclass AND contype = 'p';
