-- Deploy pg_woocommerce:products to pg
-- Seed table products (shared/seed/data-model.md), exactly as specified.
-- requires: stores
-- requires: categories
BEGIN;

CREATE TABLE public.products (
  id             UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  store_id       UUID NOT NULL REFERENCES public.stores(id),
  wc_product_id  INTEGER NOT NULL,
  name           VARCHAR(500) NOT NULL,
  sku            VARCHAR(100),
  price          DECIMAL(12,2),
  regular_price  DECIMAL(12,2),
  sale_price     DECIMAL(12,2),
  category_id    UUID REFERENCES public.categories(id),
  category_name  VARCHAR(255),
  stock_quantity INTEGER,
  stock_status   VARCHAR(50),
  status         VARCHAR(50) DEFAULT 'publish',
  type           VARCHAR(50) DEFAULT 'simple',
  created_at     TIMESTAMPTZ,
  updated_at     TIMESTAMPTZ,
  UNIQUE(store_id, wc_product_id)
);
CREATE INDEX idx_products_store ON public.products(store_id);
CREATE INDEX idx_products_category ON public.products(store_id, category_id);
COMMENT ON TABLE public.products IS 'Product catalog synced from WooCommerce.';

COMMIT;
