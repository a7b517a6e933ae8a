-- Verify pg_woocommerce:analytics_rollups on pg
SELECT store_id, day, orders, items_sold, gross_sales, discounts, refunds, taxes, shipping FROM public.sales_daily WHERE false;
SELECT store_id, day, product_id, units, net_revenue, orders FROM public.product_sales_daily WHERE false;
SELECT store_id, day, coupon_code, orders, discount FROM public.coupon_sales_daily WHERE false;
SELECT 1 / count(*)::int FROM pg_class WHERE relname IN ('sales_daily', 'product_sales_daily', 'coupon_sales_daily')
   AND relnamespace = 'public'::regnamespace AND relrowsecurity AND relforcerowsecurity HAVING count(*) = 3;
