-- Deploy pg_woocommerce:sync_logs to pg
-- Seed table sync_logs (shared/seed/data-model.md), exactly as specified.
-- requires: stores
BEGIN;

CREATE TABLE public.sync_logs (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  store_id        UUID NOT NULL REFERENCES public.stores(id),
  sync_type       VARCHAR(50) NOT NULL,       -- full|incremental|orders|products|customers
  records_synced  INTEGER DEFAULT 0,
  started_at      TIMESTAMPTZ DEFAULT NOW(),
  completed_at    TIMESTAMPTZ,
  status          VARCHAR(20) DEFAULT 'running', -- running|completed|failed
  error_message   TEXT,
  retry_count     INTEGER DEFAULT 0,            -- number of retry attempts
  next_retry_at   TIMESTAMPTZ                   -- when next retry should be attempted
);
COMMENT ON TABLE public.sync_logs IS 'Track sync health and history.';

COMMIT;
