-- Deploy pg_woocommerce:orders to pg
-- Seed table orders (shared/seed/data-model.md), exactly as specified.
-- requires: stores
-- requires: customers
BEGIN;

CREATE TABLE public.orders (
  id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  store_id      UUID NOT NULL REFERENCES public.stores(id),
  wc_order_id   INTEGER NOT NULL,
  date_created  TIMESTAMPTZ NOT NULL,
  date_modified TIMESTAMPTZ,
  status        VARCHAR(50) NOT NULL,           -- processing|completed|refunded|etc
  total         DECIMAL(12,2) NOT NULL,
  subtotal      DECIMAL(12,2),
  tax_total     DECIMAL(12,2),
  shipping_total DECIMAL(12,2),
  discount_total DECIMAL(12,2),
  currency      VARCHAR(3) DEFAULT 'USD',
  customer_id   UUID REFERENCES public.customers(id),
  payment_method VARCHAR(100),
  coupon_used   VARCHAR(100),
  UNIQUE(store_id, wc_order_id)
);
CREATE INDEX idx_orders_store_date ON public.orders(store_id, date_created);
CREATE INDEX idx_orders_store_status ON public.orders(store_id, status);
COMMENT ON TABLE public.orders IS 'All synced WooCommerce orders. Indexed on `store_id + date_created`.';

COMMIT;
