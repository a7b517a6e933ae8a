-- Deploy pg_woocommerce:lookup_indexes to pg
-- Lookups whose plan does not depend on statistics. A freshly deployed
-- database has none, and there the planner takes a store for 0.5 % of a table:
-- a single-store table's store_id indexes (deduplicated, so one level shallower
-- than any unique btree) then win every point lookup, and each foreign-key check
-- or id lookup reads the whole store. A hash index has no descent cost, and an
-- equality on the column of a primary key (or on any hashed column of a small
-- table) is costed at one row: these indexes are the cheapest path at 0 rows and
-- at any size, for
--   * the same-store foreign keys (tenant_fks): their checks are
--     `WHERE store_id = $1 AND id = $2`, now a probe of id;
--   * the ingestion's lookups by WooCommerce id and guest e-mail hash;
--   * a customer's orders (metrics) and an order's line items (replaced when the
--     order changes); the checks of orders_customer_id_fkey and
--     order_items_order_id_fkey when a customer or an order is deleted had no
--     index at all.
-- Once statistics exist the unique (store_id, ...) btrees are as good; the seed's
-- indexes all stay.
BEGIN;
CREATE INDEX orders_id_hash ON public.orders USING hash (id);
CREATE INDEX orders_wc_order_id_hash ON public.orders USING hash (wc_order_id);
CREATE INDEX orders_customer_id_hash ON public.orders USING hash (customer_id);
CREATE INDEX order_items_order_id_hash ON public.order_items USING hash (order_id);
CREATE INDEX products_id_hash ON public.products USING hash (id);
CREATE INDEX products_wc_product_id_hash ON public.products USING hash (wc_product_id);
CREATE INDEX customers_id_hash ON public.customers USING hash (id);
CREATE INDEX customers_wc_customer_id_hash ON public.customers USING hash (wc_customer_id);
CREATE INDEX customers_email_hash_hash ON public.customers USING hash (email_hash);
CREATE INDEX categories_id_hash ON public.categories USING hash (id);
COMMIT;
