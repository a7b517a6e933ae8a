-- Revert pg_woocommerce:payload_hash from pg
BEGIN;

ALTER TABLE public.coupons    DROP COLUMN payload_hash;
ALTER TABLE public.categories DROP COLUMN payload_hash;
ALTER TABLE public.customers  DROP COLUMN payload_hash;
ALTER TABLE public.products   DROP COLUMN payload_hash;
ALTER TABLE public.orders     DROP COLUMN payload_hash;

COMMIT;
