-- Revert pg_woocommerce:coupons from pg
BEGIN;
DROP TABLE public.coupons;
COMMIT;
