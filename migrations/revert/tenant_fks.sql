-- Revert pg_woocommerce:tenant_fks from pg
BEGIN;

ALTER TABLE public.order_items DROP CONSTRAINT order_items_product_same_store;
ALTER TABLE public.order_items DROP CONSTRAINT order_items_order_same_store;
ALTER TABLE public.orders      DROP CONSTRAINT orders_customer_same_store;
ALTER TABLE public.products    DROP CONSTRAINT products_category_same_store;
ALTER TABLE public.categories  DROP CONSTRAINT categories_parent_same_store;

ALTER TABLE public.orders      DROP CONSTRAINT orders_store_id_id_key;
ALTER TABLE public.customers   DROP CONSTRAINT customers_store_id_id_key;
ALTER TABLE public.products    DROP CONSTRAINT products_store_id_id_key;
ALTER TABLE public.categories  DROP CONSTRAINT categories_store_id_id_key;

COMMIT;
