-- Revert pg_woocommerce:guest_customers from pg
-- Fails (NOT NULL) while guest rows exist: delete or convert them first.
BEGIN;

COMMENT ON COLUMN public.customers.wc_customer_id IS NULL;
DROP INDEX public.customers_store_guest_email_key;
ALTER TABLE public.customers DROP CONSTRAINT customers_guest_has_email;
ALTER TABLE public.customers ALTER COLUMN wc_customer_id SET NOT NULL;

COMMIT;
