-- Deploy pg_woocommerce:guest_customers to pg
-- Guests (WooCommerce customer_id 0) are customers too, identified, as
-- WooCommerce Analytics does, by their billing e-mail: a NULL wc_customer_id
-- plus a unique (store_id, email_hash) among guests. Registered customers keep
-- UNIQUE (store_id, wc_customer_id), which NULLs do not collide in.
BEGIN;

ALTER TABLE public.customers ALTER COLUMN wc_customer_id DROP NOT NULL;
ALTER TABLE public.customers ADD CONSTRAINT customers_guest_has_email
    CHECK (wc_customer_id IS NOT NULL OR email_hash IS NOT NULL);
CREATE UNIQUE INDEX customers_store_guest_email_key ON public.customers (store_id, email_hash)
    WHERE wc_customer_id IS NULL;
COMMENT ON COLUMN public.customers.wc_customer_id IS
    'WooCommerce customer id; NULL for a guest, who is identified by (store_id, email_hash)';

COMMIT;
