-- Deploy pg_woocommerce:stores to pg
-- Seed table stores (shared/seed/data-model.md), exactly as specified.
-- requires: nothing (a plain table; it comes after the extension in the plan only by order)
BEGIN;

CREATE TABLE public.stores (
  id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  store_url     VARCHAR(500) NOT NULL UNIQUE,
  api_key_hash  VARCHAR(255) NOT NULL,          -- bcrypt hashed
  wc_version    VARCHAR(20),
  plan          VARCHAR(20) DEFAULT 'free',     -- free|starter|pro|agency
  connected_at  TIMESTAMPTZ DEFAULT NOW(),
  last_sync_at  TIMESTAMPTZ,
  settings      JSONB DEFAULT '{}',
  is_active     BOOLEAN DEFAULT true
);
COMMENT ON TABLE public.stores IS 'Primary table. One row per connected WooCommerce store.';

COMMIT;
