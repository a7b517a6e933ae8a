-- Verify pg_woocommerce:guest_customers on pg
SELECT 1 / (NOT attnotnull)::int FROM pg_attribute
 WHERE attrelid = 'public.customers'::regclass AND attname = 'wc_customer_id';
SELECT 'public.customers_store_guest_email_key'::regclass;
SELECT 1 / count(*)::int FROM pg_constraint
 WHERE conrelid = 'public.customers'::regclass AND conname = 'customers_guest_has_email';
