-- Verify pg_woocommerce:payload_hash on pg
SELECT payload_hash FROM public.orders WHERE false;
SELECT payload_hash FROM public.products WHERE false;
SELECT payload_hash FROM public.customers WHERE false;
SELECT payload_hash FROM public.categories WHERE false;
SELECT payload_hash FROM public.coupons WHERE false;
