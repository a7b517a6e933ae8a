-- Deploy pg_woocommerce:ingest_rejects to pg
-- Records refused by a lenient (strict => false) upsert, kept whole so nothing
-- is silently dropped. E-mail addresses in the payload are stored hashed.
BEGIN;

CREATE TABLE woo.ingest_rejects (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    store_id     uuid NOT NULL REFERENCES public.stores (id),
    resource     varchar(20) NOT NULL,        -- orders|products|customers|categories|coupons
    wc_id        bigint,                      -- the record's WooCommerce id, when it had a readable one
    payload      jsonb NOT NULL,              -- the record, e-mail addresses replaced by their hash
    error        text NOT NULL,
    sqlstate     char(5) NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_ingest_rejects_store_received ON woo.ingest_rejects (store_id, received_at);
COMMENT ON TABLE woo.ingest_rejects IS 'Records a lenient woo.upsert_* call refused, with the reason';

ALTER TABLE woo.ingest_rejects OWNER TO woo_owner;
-- Foreign-key checks run as the table owner: without this, deleting a store
-- fails with "permission denied for schema woo".
GRANT USAGE ON SCHEMA woo TO woo_owner;
REVOKE ALL ON woo.ingest_rejects FROM PUBLIC;
GRANT SELECT, INSERT, DELETE ON woo.ingest_rejects TO woo_app;
ALTER TABLE woo.ingest_rejects ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY ingest_rejects_select ON woo.ingest_rejects FOR SELECT TO woo_app
    USING (store_id = (SELECT woo.current_store()));
CREATE POLICY ingest_rejects_insert ON woo.ingest_rejects FOR INSERT TO woo_app
    WITH CHECK (store_id = (SELECT woo.current_store()));
CREATE POLICY ingest_rejects_delete ON woo.ingest_rejects FOR DELETE TO woo_app
    USING (store_id = (SELECT woo.current_store()));

COMMIT;
