-- Revert pg_woocommerce:roles from pg
-- Drops what this database granted to the roles, then the roles themselves,
-- unless another database of the cluster still uses them (then they stay, with
-- a notice: dropping them there is that database's revert).
BEGIN;

DROP OWNED BY woo_ai, woo_app, woo_owner;

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['woo_ai', 'woo_app', 'woo_owner'] LOOP
        BEGIN
            EXECUTE format('DROP ROLE %I', r);
        EXCEPTION WHEN dependent_objects_still_exist THEN
            RAISE NOTICE 'role % is still used by another database of this cluster: kept', r;
        END;
    END LOOP;
END $$;

COMMIT;
