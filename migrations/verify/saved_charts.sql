-- Verify pg_woocommerce:saved_charts on pg
-- Fails (undefined column / division by zero) when anything is missing.
SELECT id, store_id, title, query_text, chart_config, position_index, created_at, updated_at
  FROM public.saved_charts WHERE false;
SELECT 1 / count(*)::int FROM pg_constraint WHERE conrelid = 'public.saved_charts'::regclass AND contype = 'p';
