-- Verify pg_woocommerce:order_item_quantity on pg
SELECT 1 / (atttypid = 'numeric'::regtype)::int FROM pg_attribute
 WHERE attrelid = 'public.order_items'::regclass AND attname = 'quantity';
