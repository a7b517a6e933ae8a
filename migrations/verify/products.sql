-- Verify pg_woocommerce:products on pg
-- Fails (undefined column / division by zero) when anything is missing.
SELECT id, store_id, wc_product_id, name, sku, price, regular_price, sale_price, category_id, category_name, stock_quantity, stock_status, status, type, created_at, updated_at
  FROM public.products WHERE false;
SELECT 1 / count(*)::int FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'products' AND indexname = 'idx_products_store';
SELECT 1 / count(*)::int FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'products' AND indexname = 'idx_products_category';
SELECT 1 / count(*)::int FROM pg_constraint c
 WHERE c.conrelid = 'public.products'::regclass AND c.contype = 'u'
   AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a
         WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)) = (SELECT array_agg(x ORDER BY x) FROM unnest(ARRAY['store_id', 'wc_product_id']) x);
SELECT 1 / count(*)::int FROM pg_constraint WHERE conrelid = 'public.products'::regclass AND contype = 'p';
