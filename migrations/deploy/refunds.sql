-- Deploy pg_woocommerce:refunds to pg
-- Refunds as dated rows (issue 14): one row per WooCommerce refund of an order,
-- from the order's refunds[] (no date there: dated at the order's date_modified
-- until a /orders/<id>/refunds page gives the exact date) and from
-- woo.upsert_refunds. orders.refunded_total is the sum of an order's rows.
-- Same conventions as every table: tenant key, same-store composite FK (the
-- refunds go with their order), RLS FORCEd, owned by woo_owner, woo_ai reads.
-- requires: orders
-- requires: tenant_fks
-- requires: privileges
-- requires: rls
BEGIN;

CREATE TABLE public.refunds (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    store_id      uuid NOT NULL REFERENCES public.stores (id),
    order_id      uuid NOT NULL,
    wc_refund_id  integer NOT NULL,
    amount        numeric(12,2) NOT NULL,
    reason        text,
    date_created  timestamptz NOT NULL,
    date_exact    boolean NOT NULL DEFAULT false,
    CONSTRAINT refunds_order_same_store FOREIGN KEY (store_id, order_id)
        REFERENCES public.orders (store_id, id) ON DELETE CASCADE,
    CONSTRAINT refunds_store_order_refund_key UNIQUE (store_id, order_id, wc_refund_id)
);
CREATE INDEX idx_refunds_store_date ON public.refunds (store_id, date_created);
-- An order's refunds, probed by order_id alone (as orders' and order_items' hash indexes, lookup_indexes).
CREATE INDEX refunds_order_id_hash ON public.refunds USING hash (order_id);
COMMENT ON TABLE public.refunds IS
    'WooCommerce refunds, one row per refund of an order; amounts count on the refund''s own day (date_created, UTC), not the order''s';
COMMENT ON COLUMN public.refunds.id IS 'Row id (uuid)';
COMMENT ON COLUMN public.refunds.store_id IS 'Owning store (stores.id); every query sees only the bound store';
COMMENT ON COLUMN public.refunds.order_id IS 'The refunded order (orders.id, same store)';
COMMENT ON COLUMN public.refunds.wc_refund_id IS
    'WooCommerce refund id; negative (-1, -2, ...) for a refund listed without an id in the order''s refunds[] (its position)';
COMMENT ON COLUMN public.refunds.amount IS 'Amount refunded, in the order''s currency, positive (the refund''s amount, or -total of the order''s refunds[] entry)';
COMMENT ON COLUMN public.refunds.reason IS 'Reason the merchant gave, free text (e-mail addresses replaced by sha256:<hash>); may be empty or NULL';
COMMENT ON COLUMN public.refunds.date_created IS
    'When the refund was made, timestamptz in UTC (convert to the store''s time zone for local days); the order''s date_modified when date_exact is false';
COMMENT ON COLUMN public.refunds.date_exact IS
    'true: date_created is WooCommerce''s date_created_gmt of the refund; false: approximated by the order''s date_modified (refunds[] carries no date)';

ALTER TABLE public.refunds OWNER TO woo_owner;
REVOKE ALL ON public.refunds FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.refunds TO woo_app;
GRANT SELECT ON public.refunds TO woo_ai;
ALTER TABLE public.refunds ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY refunds_select ON public.refunds FOR SELECT TO woo_app, woo_ai
    USING (store_id = (SELECT woo.current_store()));
CREATE POLICY refunds_insert ON public.refunds FOR INSERT TO woo_app
    WITH CHECK (store_id = (SELECT woo.current_store()));
CREATE POLICY refunds_update ON public.refunds FOR UPDATE TO woo_app
    USING (store_id = (SELECT woo.current_store()))
    WITH CHECK (store_id = (SELECT woo.current_store()));
CREATE POLICY refunds_delete ON public.refunds FOR DELETE TO woo_app
    USING (store_id = (SELECT woo.current_store()));

COMMIT;
