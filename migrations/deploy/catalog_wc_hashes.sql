-- Deploy pg_woocommerce:catalog_wc_hashes to pg
-- requires: lookup_indexes
-- requires: coupons_date_modified
-- Categories and coupons by WooCommerce id without statistics, as lookup_indexes
-- does for orders, products and customers: without these, the probe `store_id =
-- $1 AND wc_category_id = k.wc` (the stored rows before a write, a child's
-- parent) and its coupons twin are planned at 0 rows as a read of the store's
-- rows through an index led by store_id (idx_categories_store, deduplicated
-- and one level shallower than the unique index; coupons (store_id,
-- date_modified)), and kept at any size.
BEGIN;
CREATE INDEX categories_wc_category_id_hash ON public.categories USING hash (wc_category_id);
CREATE INDEX coupons_wc_coupon_id_hash ON public.coupons USING hash (wc_coupon_id);
COMMIT;
