-- Deploy pg_woocommerce:saved_charts to pg
-- Seed table saved_charts (shared/seed/data-model.md), exactly as specified.
-- requires: stores
BEGIN;

CREATE TABLE public.saved_charts (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  store_id        UUID NOT NULL REFERENCES public.stores(id),
  title           VARCHAR(255) NOT NULL,
  query_text      TEXT,
  chart_config    JSONB NOT NULL,
  position_index  INTEGER DEFAULT 0,
  created_at      TIMESTAMPTZ DEFAULT NOW(),
  updated_at      TIMESTAMPTZ DEFAULT NOW()
);
COMMENT ON TABLE public.saved_charts IS 'User''s pinned charts for their dashboard.';

COMMIT;
