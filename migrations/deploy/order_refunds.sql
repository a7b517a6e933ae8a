-- Deploy pg_woocommerce:order_refunds to pg
-- The amount refunded on an order (sum of its refunds, a positive number),
-- so metrics can be net of refunds.
BEGIN;

ALTER TABLE public.orders ADD COLUMN refunded_total numeric(12,2) NOT NULL DEFAULT 0;
COMMENT ON COLUMN public.orders.refunded_total IS
    'Sum of the order''s refunds (WooCommerce sends them as negative totals), as a positive amount';

COMMIT;
