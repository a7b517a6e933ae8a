-- Deploy pg_woocommerce:tenant_fks to pg
-- A row may only reference rows of its own store. The seed's single-column
-- foreign keys stay; these composite keys add "same store_id" to each
-- reference, so no write (even by a superuser or a bug) can link an order to
-- another store's customer, an item to another store's order or product, or a
-- category or product to another store's category.
BEGIN;

ALTER TABLE public.categories ADD CONSTRAINT categories_store_id_id_key UNIQUE (store_id, id);
ALTER TABLE public.products   ADD CONSTRAINT products_store_id_id_key   UNIQUE (store_id, id);
ALTER TABLE public.customers  ADD CONSTRAINT customers_store_id_id_key  UNIQUE (store_id, id);
ALTER TABLE public.orders     ADD CONSTRAINT orders_store_id_id_key     UNIQUE (store_id, id);

ALTER TABLE public.categories ADD CONSTRAINT categories_parent_same_store
    FOREIGN KEY (store_id, parent_id) REFERENCES public.categories (store_id, id);
ALTER TABLE public.products ADD CONSTRAINT products_category_same_store
    FOREIGN KEY (store_id, category_id) REFERENCES public.categories (store_id, id);
ALTER TABLE public.orders ADD CONSTRAINT orders_customer_same_store
    FOREIGN KEY (store_id, customer_id) REFERENCES public.customers (store_id, id);
ALTER TABLE public.order_items ADD CONSTRAINT order_items_order_same_store
    FOREIGN KEY (store_id, order_id) REFERENCES public.orders (store_id, id) ON DELETE CASCADE;
ALTER TABLE public.order_items ADD CONSTRAINT order_items_product_same_store
    FOREIGN KEY (store_id, product_id) REFERENCES public.products (store_id, id);

COMMIT;
