-- Deploy pg_woocommerce:conversations to pg
-- Seed table conversations (shared/seed/data-model.md), exactly as specified.
-- requires: stores
BEGIN;

CREATE TABLE public.conversations (
  id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  store_id    UUID NOT NULL REFERENCES public.stores(id),
  messages    JSONB NOT NULL DEFAULT '[]',
  created_at  TIMESTAMPTZ DEFAULT NOW(),
  updated_at  TIMESTAMPTZ DEFAULT NOW()
);
COMMENT ON TABLE public.conversations IS 'Chat conversation history.';

COMMIT;
