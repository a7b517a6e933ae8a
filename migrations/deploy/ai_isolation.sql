-- Deploy pg_woocommerce:ai_isolation to pg
-- Issue 9: nothing crosses between model SQL and its caller's session, and no
-- tenant identifier is readable from the catalog by woo_ai (or PUBLIC) in this
-- database. Revoked from PUBLIC here (these ACLs are per database, shared
-- catalogs included); woo_app and woo_owner get back what an application may use.
--   * pg_roles.rolconfig, pg_user.useconfig, pg_db_role_setting: the role
--     settings, where woo.create_ai_login pins each AI login's store;
--   * pg_prepared_statements, pg_cursors, pg_prepared_xacts (and the functions
--     behind them): the caller's statements, cursors and prepared transactions,
--     seen from inside woo.ai_query in the caller's session;
--   * current_setting, pg_settings, pg_show_all_settings: the caller's custom
--     settings (SHOW is refused by woo.ai_query's parser gate);
--   * setseed: would leave the caller's random() predictable;
--   * ts_stat(text), ts_rewrite(tsquery, text): run SQL given as a string.
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
        EXECUTE format('REVOKE SELECT ON pg_catalog.%I FROM PUBLIC', v.rel);
        EXECUTE format('GRANT SELECT (%s) ON pg_catalog.%I TO PUBLIC', cols, v.rel);
        EXECUTE format('GRANT SELECT ON pg_catalog.%I TO woo_app, woo_owner', v.rel);
    END LOOP;
    FOR f IN
        SELECT p.oid::regprocedure FROM pg_proc p
         WHERE p.pronamespace = 'pg_catalog'::regnamespace
           AND p.proname IN ('pg_prepared_statement', 'pg_cursor', 'pg_prepared_xact', 'current_setting',
                             'pg_show_all_settings', 'setseed', 'ts_stat', 'lastval')
            OR p.oid = 'pg_catalog.ts_rewrite(tsquery, text)'::regprocedure
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO woo_app, woo_owner', f);
    END LOOP;
END $$;

REVOKE SELECT ON pg_catalog.pg_db_role_setting, pg_catalog.pg_prepared_statements, pg_catalog.pg_cursors,
                 pg_catalog.pg_prepared_xacts, pg_catalog.pg_settings FROM PUBLIC;
GRANT SELECT ON pg_catalog.pg_db_role_setting, pg_catalog.pg_prepared_statements, pg_catalog.pg_cursors,
                pg_catalog.pg_prepared_xacts, pg_catalog.pg_settings TO woo_app, woo_owner;

COMMIT;
