-- Revert pg_woocommerce:onboarding_role from pg
-- Drops what this database granted to the role, then the role, unless another
-- database of the cluster still uses it (then it stays, with a notice).
BEGIN;

DROP OWNED BY woo_onboarding;

DO $$
BEGIN
    DROP ROLE woo_onboarding;
EXCEPTION WHEN dependent_objects_still_exist THEN
    RAISE NOTICE 'role woo_onboarding is still used by another database of this cluster: kept';
END $$;

COMMIT;
