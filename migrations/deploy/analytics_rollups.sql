-- Deploy pg_woocommerce:analytics_rollups to pg
-- Day-level rollups of the canonical sales metrics (issue 14), one row per
-- store and store-local day (stores.settings timezone, UTC when unset). They are
-- written only by the extension's triggers on orders, order_items and refunds
-- (SECURITY DEFINER, same transaction as the write) and by
-- woo.repair_analytics; woo_app and woo_ai only read them, under RLS.
-- requires: refunds
-- requires: privileges
-- requires: rls
BEGIN;

CREATE TABLE public.sales_daily (
    store_id      uuid NOT NULL REFERENCES public.stores (id) ON DELETE CASCADE,
    day           date NOT NULL,
    orders        integer NOT NULL DEFAULT 0,
    items_sold    numeric NOT NULL DEFAULT 0,
    gross_sales   numeric(14,2) NOT NULL DEFAULT 0,
    discounts     numeric(14,2) NOT NULL DEFAULT 0,
    refunds       numeric(14,2) NOT NULL DEFAULT 0,
    taxes         numeric(14,2) NOT NULL DEFAULT 0,
    shipping      numeric(14,2) NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, day)
);
CREATE TABLE public.product_sales_daily (
    store_id      uuid NOT NULL REFERENCES public.stores (id) ON DELETE CASCADE,
    day           date NOT NULL,
    product_id    uuid NOT NULL,
    units         numeric NOT NULL DEFAULT 0,
    net_revenue   numeric(14,2) NOT NULL DEFAULT 0,
    orders        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, day, product_id)
);
CREATE TABLE public.coupon_sales_daily (
    store_id      uuid NOT NULL REFERENCES public.stores (id) ON DELETE CASCADE,
    day           date NOT NULL,
    coupon_code   text NOT NULL,
    orders        integer NOT NULL DEFAULT 0,
    discount      numeric(14,2) NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, day, coupon_code)
);

-- The triggers reach an order's line items by (store_id, order_id).
CREATE INDEX idx_order_items_store_order ON public.order_items (store_id, order_id);

COMMENT ON TABLE public.sales_daily IS 'Rollup behind metrics_daily (read metrics_daily): one row per store and store-local calendar day (in the store''s time zone)';
COMMENT ON COLUMN public.sales_daily.store_id IS 'Owning store (stores.id)';
COMMENT ON COLUMN public.sales_daily.day IS 'The store-local calendar day (in the store''s time zone)';
COMMENT ON COLUMN public.sales_daily.orders IS 'Counted orders placed that day (excluded statuses left out)';
COMMENT ON COLUMN public.sales_daily.items_sold IS 'Units on the counted orders'' line items (sum of quantity)';
COMMENT ON COLUMN public.sales_daily.gross_sales IS 'Sum of total - tax_total - shipping_total + discount_total of the day''s counted orders, in currency';
COMMENT ON COLUMN public.sales_daily.discounts IS 'Sum of discount_total of the day''s counted orders, in currency';
COMMENT ON COLUMN public.sales_daily.refunds IS 'Refunds made that day (refunds.date_created) on counted orders, positive, in currency';
COMMENT ON COLUMN public.sales_daily.taxes IS 'Sum of tax_total of the day''s counted orders, in currency';
COMMENT ON COLUMN public.sales_daily.shipping IS 'Sum of shipping_total of the day''s counted orders, in currency';
COMMENT ON TABLE public.product_sales_daily IS 'Rollup behind metrics_product_daily: one row per store, store-local calendar day (in the store''s time zone) and product';
COMMENT ON COLUMN public.product_sales_daily.store_id IS 'Owning store (stores.id)';
COMMENT ON COLUMN public.product_sales_daily.day IS 'The store-local calendar day (in the store''s time zone) of the orders';
COMMENT ON COLUMN public.product_sales_daily.product_id IS 'The product or variation (products.id)';
COMMENT ON COLUMN public.product_sales_daily.units IS 'Units sold on counted orders (sum of quantity)';
COMMENT ON COLUMN public.product_sales_daily.net_revenue IS 'Sum of line totals (after discounts, tax excluded), in currency; refunds not deducted';
COMMENT ON COLUMN public.product_sales_daily.orders IS 'Counted orders with the product';
COMMENT ON TABLE public.coupon_sales_daily IS 'Rollup behind metrics_coupon_daily: one row per store, store-local calendar day (in the store''s time zone) and coupon code';
COMMENT ON COLUMN public.coupon_sales_daily.store_id IS 'Owning store (stores.id)';
COMMENT ON COLUMN public.coupon_sales_daily.day IS 'The store-local calendar day (in the store''s time zone) of the orders';
COMMENT ON COLUMN public.coupon_sales_daily.coupon_code IS 'Coupon code as in orders.coupon_used';
COMMENT ON COLUMN public.coupon_sales_daily.orders IS 'Counted orders that used the code';
COMMENT ON COLUMN public.coupon_sales_daily.discount IS 'Their discount_total, shared equally among an order''s codes, in currency';

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['sales_daily', 'product_sales_daily', 'coupon_sales_daily'] LOOP
        EXECUTE format('ALTER TABLE public.%I OWNER TO woo_owner', t);
        EXECUTE format('REVOKE ALL ON public.%I FROM PUBLIC', t);
        EXECUTE format('GRANT SELECT ON public.%I TO woo_app, woo_ai', t);
        EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON public.%I FOR SELECT TO woo_app, woo_ai
                            USING (store_id = (SELECT woo.current_store()))', t || '_select', t);
    END LOOP;
END $$;

COMMIT;
