-- Deploy pg_woocommerce:roles to pg
-- The three roles of the security model. Roles are cluster-wide: tolerate
-- their prior existence (another database of the cluster may have made them)
-- and (re)assert their attributes. None can log in or bypass RLS.
BEGIN;

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['woo_owner', 'woo_app', 'woo_ai'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I', r);
        END IF;
        EXECUTE format('ALTER ROLE %I NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT', r);
    END LOOP;
END $$;

COMMENT ON ROLE woo_owner IS 'pg_woocommerce: owns the tables; no login';
COMMENT ON ROLE woo_app IS 'pg_woocommerce: the application; reads and writes one bound store through RLS';
COMMENT ON ROLE woo_ai IS 'pg_woocommerce: the AI assistant; SELECT only, one store, through RLS';

COMMIT;
