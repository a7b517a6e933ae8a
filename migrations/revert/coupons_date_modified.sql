-- Revert pg_woocommerce:coupons_date_modified from pg
BEGIN;
ALTER TABLE public.coupons DROP COLUMN date_modified;
COMMIT;
