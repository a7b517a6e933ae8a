-- Deploy pg_woocommerce:coupons to pg
-- Seed table coupons (shared/seed/data-model.md), exactly as specified.
-- requires: stores
BEGIN;

CREATE TABLE public.coupons (
  id             UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  store_id       UUID NOT NULL REFERENCES public.stores(id),
  wc_coupon_id   INTEGER NOT NULL,
  code           VARCHAR(100) NOT NULL,
  discount_type  VARCHAR(50),
  amount         DECIMAL(12,2),
  usage_count    INTEGER DEFAULT 0,
  UNIQUE(store_id, wc_coupon_id)
);

COMMIT;
