-- Deploy pg_woocommerce:payload_hash to pg
-- SHA-256 of the values the last applied WooCommerce record mapped to (the
-- row's columns, its line items and references): a re-delivery that would
-- store the same values is recognised without comparing, or rewriting, the
-- row and its items, whatever else differs in the payload (links, meta_data).
BEGIN;

ALTER TABLE public.orders     ADD COLUMN payload_hash bytea;
ALTER TABLE public.products   ADD COLUMN payload_hash bytea;
ALTER TABLE public.customers  ADD COLUMN payload_hash bytea;
ALTER TABLE public.categories ADD COLUMN payload_hash bytea;
ALTER TABLE public.coupons    ADD COLUMN payload_hash bytea;

COMMIT;
