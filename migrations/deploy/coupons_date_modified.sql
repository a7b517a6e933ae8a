-- Deploy pg_woocommerce:coupons_date_modified to pg
-- coupons.date_modified (WooCommerce's date_modified_gmt), written by
-- woo.upsert_coupons, so that woo.sync_cursor can give coupons an incremental
-- cursor like orders and products; with its per-store index (one probe).
BEGIN;
ALTER TABLE public.coupons ADD COLUMN date_modified timestamptz;
COMMENT ON COLUMN public.coupons.date_modified IS 'WooCommerce date_modified_gmt of the last applied delivery (woo.sync_cursor)';
CREATE INDEX idx_coupons_store_modified ON public.coupons (store_id, date_modified);
COMMIT;
