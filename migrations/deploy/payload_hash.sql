-- Deploy pg_woocommerce:payload_hash to pg
-- SHA-256 of the WooCommerce record (its jsonb form) last applied to the row:
-- an identical re-delivery is recognised without comparing, or rewriting,
-- the row and its items.
BEGIN;

ALTER TABLE public.orders     ADD COLUMN payload_hash bytea;
ALTER TABLE public.products   ADD COLUMN payload_hash bytea;
ALTER TABLE public.customers  ADD COLUMN payload_hash bytea;
ALTER TABLE public.categories ADD COLUMN payload_hash bytea;
ALTER TABLE public.coupons    ADD COLUMN payload_hash bytea;

COMMIT;
