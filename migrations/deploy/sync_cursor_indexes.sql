-- Deploy pg_woocommerce:sync_cursor_indexes to pg
-- woo.sync_cursor reads a store's newest modification date: max(date_modified)
-- of its orders, max(updated_at) of its products. These indexes make that one
-- index probe whatever the store's size (without them, a scan of all its rows).
BEGIN;
CREATE INDEX idx_orders_store_modified ON public.orders (store_id, date_modified);
CREATE INDEX idx_products_store_updated ON public.products (store_id, updated_at);
COMMIT;
