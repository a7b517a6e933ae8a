-- Verify pg_woocommerce:tenant_fks on pg
SELECT 1 / (count(*) = 9)::int
  FROM pg_constraint
 WHERE conrelid IN ('public.categories'::regclass, 'public.products'::regclass, 'public.customers'::regclass,
                    'public.orders'::regclass, 'public.order_items'::regclass)
   AND conname IN ('categories_store_id_id_key', 'products_store_id_id_key', 'customers_store_id_id_key',
                   'orders_store_id_id_key', 'categories_parent_same_store', 'products_category_same_store',
                   'orders_customer_same_store', 'order_items_order_same_store', 'order_items_product_same_store');
