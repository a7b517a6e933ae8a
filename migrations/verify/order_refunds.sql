-- Verify pg_woocommerce:order_refunds on pg
SELECT refunded_total FROM public.orders WHERE false;
