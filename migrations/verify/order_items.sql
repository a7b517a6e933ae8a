-- Verify pg_woocommerce:order_items on pg
-- Fails (undefined column / division by zero) when anything is missing.
SELECT id, order_id, store_id, product_id, product_name, sku, quantity, subtotal, total
  FROM public.order_items WHERE false;
SELECT 1 / count(*)::int FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'order_items' AND indexname = 'idx_order_items_store';
SELECT 1 / count(*)::int FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'order_items' AND indexname = 'idx_order_items_product';
SELECT 1 / count(*)::int FROM pg_constraint WHERE conrelid = 'public.order_items'::regclass AND contype = 'p';
