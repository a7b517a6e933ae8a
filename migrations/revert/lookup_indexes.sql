-- Revert pg_woocommerce:lookup_indexes from pg
BEGIN;
DROP INDEX public.orders_id_hash, public.orders_wc_order_id_hash, public.orders_customer_id_hash, public.order_items_order_id_hash, public.products_id_hash,
           public.products_wc_product_id_hash, public.customers_id_hash, public.customers_wc_customer_id_hash,
           public.customers_email_hash_hash, public.categories_id_hash;
COMMIT;
