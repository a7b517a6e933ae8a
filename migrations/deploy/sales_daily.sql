-- Deploy pg_woocommerce:sales_daily to pg
-- The day-level sales rollup (issue 14): per store, store-local day (the store's
-- settings.timezone) and writer slot (backend pid mod 8, so that concurrent writers
-- of one store mostly update different rows), the additive sums behind the canonical
-- view metrics_daily. Written only by the extension's triggers on orders,
-- order_items, refunds and stores (SECURITY DEFINER, in the writer's transaction)
-- and by woo.repair_analytics; woo_app and woo_ai read it under RLS. Derived data:
-- it goes with its store (ON DELETE CASCADE).
-- requires: refunds
-- requires: privileges
-- requires: rls
BEGIN;

CREATE TABLE public.sales_daily (
    store_id      uuid NOT NULL REFERENCES public.stores (id) ON DELETE CASCADE,
    day           date NOT NULL,
    slot          smallint NOT NULL DEFAULT 0 CHECK (slot BETWEEN 0 AND 7),
    orders        integer NOT NULL DEFAULT 0,
    items_sold    numeric NOT NULL DEFAULT 0,
    gross_sales   numeric NOT NULL DEFAULT 0,
    discounts     numeric NOT NULL DEFAULT 0,
    refunds       numeric NOT NULL DEFAULT 0,
    taxes         numeric NOT NULL DEFAULT 0,
    shipping      numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, day, slot)
);
COMMENT ON TABLE public.sales_daily IS
    'Internal: the rollup behind metrics_daily (read metrics_daily): sums per store, store-local day and writer slot';
COMMENT ON COLUMN public.sales_daily.store_id IS 'Owning store (stores.id)';
COMMENT ON COLUMN public.sales_daily.day IS 'Store-local calendar day (the store''s time zone)';
COMMENT ON COLUMN public.sales_daily.slot IS 'Internal: writer slot 0-7; sum the rows of a day';
COMMENT ON COLUMN public.sales_daily.orders IS 'Counted orders placed that day (this slot''s part)';
COMMENT ON COLUMN public.sales_daily.items_sold IS 'Units on the counted orders'' line items (this slot''s part)';
COMMENT ON COLUMN public.sales_daily.gross_sales IS 'Sum of total - tax_total - shipping_total + discount_total of the day''s counted orders, in currency (this slot''s part)';
COMMENT ON COLUMN public.sales_daily.discounts IS 'Sum of discount_total of the day''s counted orders, in currency (this slot''s part)';
COMMENT ON COLUMN public.sales_daily.refunds IS 'Refunds made that day on counted orders, positive, in currency (this slot''s part)';
COMMENT ON COLUMN public.sales_daily.taxes IS 'Sum of tax_total of the day''s counted orders, in currency (this slot''s part)';
COMMENT ON COLUMN public.sales_daily.shipping IS 'Sum of shipping_total of the day''s counted orders, in currency (this slot''s part)';

ALTER TABLE public.sales_daily OWNER TO woo_owner;
REVOKE ALL ON public.sales_daily FROM PUBLIC;
GRANT SELECT ON public.sales_daily TO woo_app, woo_ai;
ALTER TABLE public.sales_daily ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY sales_daily_select ON public.sales_daily FOR SELECT TO woo_app, woo_ai
    USING (store_id = (SELECT woo.current_store()));

COMMIT;
