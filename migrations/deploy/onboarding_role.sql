-- Deploy pg_woocommerce:onboarding_role to pg
-- woo_onboarding: the service that signs stores up. It may only call
-- woo.register_store (granted by extension_1_5), the one write that has no store
-- bound yet; it has no privilege on any table. Roles are cluster-wide: tolerate
-- one left by another database and (re)assert its attributes.
BEGIN;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'woo_onboarding') THEN
        CREATE ROLE woo_onboarding;
    END IF;
    ALTER ROLE woo_onboarding NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT;
END $$;
COMMENT ON ROLE woo_onboarding IS 'pg_woocommerce: registers stores (woo.register_store only); no table privilege, no login';

COMMIT;
