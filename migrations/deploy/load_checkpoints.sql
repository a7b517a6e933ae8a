-- Deploy pg_woocommerce:load_checkpoints to pg
-- Checkpoints of the bulk loader woo-load: one row per committed batch, written
-- in the same transaction as the batch's woo.upsert_* call, so a batch and its
-- checkpoint commit (or roll back) together. On --resume the loader reads the
-- rows of the sync it resumes and skips the batches they cover.
-- A checkpoint belongs to a sync (a sync_logs row) of its own store: the
-- composite key (store_id, sync_id) -> sync_logs (store_id, id) makes a
-- cross-store reference impossible, even for a superuser, and deleting a sync
-- deletes its checkpoints.
BEGIN;

-- A same-store reference target on the seed table sync_logs (as tenant_fks
-- does for the others).
ALTER TABLE public.sync_logs ADD CONSTRAINT sync_logs_store_id_id_key UNIQUE (store_id, id);

CREATE TABLE woo.load_checkpoints (
    store_id      uuid NOT NULL REFERENCES public.stores (id),
    sync_id       uuid NOT NULL,
    source        text NOT NULL,                                -- absolute path of the input file, or '-' for stdin
    first_record  bigint NOT NULL CHECK (first_record >= 1),    -- 1-based position of the batch's first record in source
    records       integer NOT NULL CHECK (records >= 1),        -- consecutive records in the batch
    resource      varchar(20) NOT NULL CHECK (resource IN ('orders', 'products', 'customers', 'categories', 'coupons')),
    inserted      integer NOT NULL,                             -- the woo.upsert_result of the batch
    updated       integer NOT NULL,
    unchanged     integer NOT NULL,
    skipped_stale integer NOT NULL,
    rejected      integer NOT NULL,
    committed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, sync_id, source, first_record),   -- store first: no probing of another store's keys, and it serves the foreign keys
    FOREIGN KEY (store_id, sync_id) REFERENCES public.sync_logs (store_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE woo.load_checkpoints IS
    'woo-load: one row per committed batch (same transaction as its woo.upsert_* call), read on --resume';

ALTER TABLE woo.load_checkpoints OWNER TO woo_owner;
-- Foreign-key checks and the ON DELETE CASCADE run as the table owner, which
-- needs USAGE on schema woo: granted by ingest_rejects (a dependency).
REVOKE ALL ON woo.load_checkpoints FROM PUBLIC;
GRANT SELECT, INSERT ON woo.load_checkpoints TO woo_app;
ALTER TABLE woo.load_checkpoints ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY load_checkpoints_select ON woo.load_checkpoints FOR SELECT TO woo_app
    USING (store_id = (SELECT woo.current_store()));
CREATE POLICY load_checkpoints_insert ON woo.load_checkpoints FOR INSERT TO woo_app
    WITH CHECK (store_id = (SELECT woo.current_store()));

COMMIT;
