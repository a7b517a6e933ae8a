-- Deploy pg_woocommerce:categories to pg
-- Seed table categories (shared/seed/data-model.md), exactly as specified.
-- requires: stores
BEGIN;

CREATE TABLE public.categories (
  id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  store_id         UUID NOT NULL REFERENCES public.stores(id),
  wc_category_id   INTEGER NOT NULL,
  name             VARCHAR(255) NOT NULL,
  parent_id        UUID REFERENCES public.categories(id),
  product_count    INTEGER DEFAULT 0,
  UNIQUE(store_id, wc_category_id)
);
COMMENT ON TABLE public.categories IS 'Product categories.';

COMMIT;
