-- Revert pg_woocommerce:sync_cursor_indexes from pg
BEGIN;
DROP INDEX public.idx_orders_store_modified, public.idx_products_store_updated;
COMMIT;
