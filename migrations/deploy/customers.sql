-- Deploy pg_woocommerce:customers to pg
-- Seed table customers (shared/seed/data-model.md), exactly as specified.
-- requires: stores
BEGIN;

CREATE TABLE public.customers (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  store_id        UUID NOT NULL REFERENCES public.stores(id),
  wc_customer_id  INTEGER NOT NULL,
  email_hash      VARCHAR(64),                  -- SHA256 hash (never store raw email)
  display_name    VARCHAR(255),
  total_spent     DECIMAL(12,2) DEFAULT 0,
  order_count     INTEGER DEFAULT 0,
  first_order_date TIMESTAMPTZ,
  last_order_date  TIMESTAMPTZ,
  created_at      TIMESTAMPTZ,
  UNIQUE(store_id, wc_customer_id)
);
CREATE INDEX idx_customers_store ON public.customers(store_id);
COMMENT ON TABLE public.customers IS 'Customer records with computed lifetime metrics.';

COMMIT;
