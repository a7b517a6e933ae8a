-- Verify pg_woocommerce:lookup_indexes on pg
SELECT 1 / (count(*) = 10)::int FROM pg_indexes
 WHERE schemaname = 'public' AND indexdef LIKE '% USING hash %'
   AND indexname IN ('orders_id_hash', 'orders_wc_order_id_hash', 'orders_customer_id_hash', 'order_items_order_id_hash', 'products_id_hash', 'products_wc_product_id_hash',
                     'customers_id_hash', 'customers_wc_customer_id_hash', 'customers_email_hash_hash', 'categories_id_hash');
