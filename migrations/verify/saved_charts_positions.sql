-- Verify pg_woocommerce:saved_charts_positions on pg
SELECT 1 / count(*)::int FROM pg_constraint
 WHERE conrelid = 'public.saved_charts'::regclass AND conname = 'saved_charts_store_position_key'
   AND contype = 'u' AND condeferrable;
