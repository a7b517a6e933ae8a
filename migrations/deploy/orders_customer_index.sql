-- Deploy pg_woocommerce:orders_customer_index to pg
-- A customer's orders, found without reading the rest of the store: keeps
-- recomputing one customer's metrics (and deleting a customer) cheap however
-- large the store is.
BEGIN;
CREATE INDEX idx_orders_store_customer ON public.orders (store_id, customer_id);
COMMIT;
