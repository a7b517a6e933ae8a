-- Revert pg_woocommerce:ai_isolation from pg
BEGIN;

DO $$
DECLARE
    f regprocedure;
    v record;
    cols text;
BEGIN
    FOR v IN SELECT * FROM (VALUES ('pg_roles', 'rolconfig'), ('pg_user', 'useconfig')) t(rel, col) LOOP
        SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
          FROM pg_attribute a WHERE a.attrelid = ('pg_catalog.' || v.rel)::regclass AND a.attnum > 0 AND a.attname <> v.col;
        EXECUTE format('REVOKE SELECT (%s) ON pg_catalog.%I FROM PUBLIC', cols, v.rel);
        EXECUTE format('REVOKE SELECT ON pg_catalog.%I FROM woo_app, woo_owner', v.rel);
        EXECUTE format('GRANT SELECT ON pg_catalog.%I TO PUBLIC', v.rel);
    END LOOP;
    FOR f IN
        SELECT p.oid::regprocedure FROM pg_proc p
         WHERE p.pronamespace = 'pg_catalog'::regnamespace
           AND p.proname IN ('pg_prepared_statement', 'pg_cursor', 'pg_prepared_xact', 'current_setting',
                             'pg_show_all_settings', 'setseed', 'ts_stat', 'lastval')
            OR p.oid = 'pg_catalog.ts_rewrite(tsquery, text)'::regprocedure
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f);
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM woo_app, woo_owner', f);
    END LOOP;
END $$;

REVOKE SELECT ON pg_catalog.pg_db_role_setting, pg_catalog.pg_prepared_statements, pg_catalog.pg_cursors,
                 pg_catalog.pg_prepared_xacts, pg_catalog.pg_settings FROM woo_app, woo_owner;
GRANT SELECT ON pg_catalog.pg_db_role_setting, pg_catalog.pg_prepared_statements, pg_catalog.pg_cursors,
                pg_catalog.pg_prepared_xacts, pg_catalog.pg_settings TO PUBLIC;

COMMIT;
