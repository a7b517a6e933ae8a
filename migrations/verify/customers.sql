-- Verify pg_woocommerce:customers on pg
-- Fails (undefined column / division by zero) when anything is missing.
SELECT id, store_id, wc_customer_id, email_hash, display_name, total_spent, order_count, first_order_date, last_order_date, created_at
  FROM public.customers WHERE false;
SELECT 1 / count(*)::int FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'customers' AND indexname = 'idx_customers_store';
SELECT 1 / count(*)::int FROM pg_constraint c
 WHERE c.conrelid = 'public.customers'::regclass AND c.contype = 'u'
   AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a
         WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)) = (SELECT array_agg(x ORDER BY x) FROM unnest(ARRAY['store_id', 'wc_customer_id']) x);
SELECT 1 / count(*)::int FROM pg_constraint WHERE conrelid = 'public.customers'::regclass AND contype = 'p';
