-- Deploy pg_woocommerce:categories_wc_hash to pg
-- requires: lookup_indexes
-- Categories by WooCommerce id without statistics, as lookup_indexes does for
-- orders, products and customers: without it the probe `store_id = $1 AND
-- wc_category_id = k.wc` (the stored rows before a write, a child's parent) is
-- planned at 0 rows as a read of the store's categories through
-- idx_categories_store (a deduplicated index, one level shallower than the
-- unique one), kept at any size.
BEGIN;
CREATE INDEX categories_wc_category_id_hash ON public.categories USING hash (wc_category_id);
COMMIT;
