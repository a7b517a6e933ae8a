-- Verify pg_woocommerce:orders on pg
-- Fails (undefined column / division by zero) when anything is missing.
SELECT id, store_id, wc_order_id, date_created, date_modified, status, total, subtotal, tax_total, shipping_total, discount_total, currency, customer_id, payment_method, coupon_used
  FROM public.orders WHERE false;
SELECT 1 / count(*)::int FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'orders' AND indexname = 'idx_orders_store_date';
SELECT 1 / count(*)::int FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'orders' AND indexname = 'idx_orders_store_status';
SELECT 1 / count(*)::int FROM pg_constraint c
 WHERE c.conrelid = 'public.orders'::regclass AND c.contype = 'u'
   AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a
         WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)) = (SELECT array_agg(x ORDER BY x) FROM unnest(ARRAY['store_id', 'wc_order_id']) x);
SELECT 1 / count(*)::int FROM pg_constraint WHERE conrelid = 'public.orders'::regclass AND contype = 'p';
