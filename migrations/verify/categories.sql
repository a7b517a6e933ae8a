-- Verify pg_woocommerce:categories on pg
-- Fails (undefined column / division by zero) when anything is missing.
SELECT id, store_id, wc_category_id, name, parent_id, product_count
  FROM public.categories WHERE false;
SELECT 1 / count(*)::int FROM pg_constraint c
 WHERE c.conrelid = 'public.categories'::regclass AND c.contype = 'u'
   AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a
         WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)) = (SELECT array_agg(x ORDER BY x) FROM unnest(ARRAY['store_id', 'wc_category_id']) x);
SELECT 1 / count(*)::int FROM pg_constraint WHERE conrelid = 'public.categories'::regclass AND contype = 'p';
