-- Deploy pg_woocommerce:order_items to pg
-- Seed table order_items (shared/seed/data-model.md), exactly as specified.
-- requires: stores
-- requires: orders
-- requires: products
BEGIN;

CREATE TABLE public.order_items (
  id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id      UUID NOT NULL REFERENCES public.orders(id) ON DELETE CASCADE,
  store_id      UUID NOT NULL REFERENCES public.stores(id),
  product_id    UUID REFERENCES public.products(id),
  product_name  VARCHAR(500),
  sku           VARCHAR(100),
  quantity      INTEGER NOT NULL DEFAULT 1,
  subtotal      DECIMAL(12,2),
  total         DECIMAL(12,2)
);
CREATE INDEX idx_order_items_store ON public.order_items(store_id);
CREATE INDEX idx_order_items_product ON public.order_items(product_id);
COMMENT ON TABLE public.order_items IS 'Line items for each order.';

COMMIT;
