-- Verify pg_woocommerce:stores on pg
-- Fails (undefined column / division by zero) when anything is missing.
SELECT id, store_url, api_key_hash, wc_version, plan, connected_at, last_sync_at, settings, is_active
  FROM public.stores WHERE false;
SELECT 1 / count(*)::int FROM pg_constraint c
 WHERE c.conrelid = 'public.stores'::regclass AND c.contype = 'u'
   AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a
         WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)) = ARRAY['store_url'];
SELECT 1 / count(*)::int FROM pg_constraint WHERE conrelid = 'public.stores'::regclass AND contype = 'p';
