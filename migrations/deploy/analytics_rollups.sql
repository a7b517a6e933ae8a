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
