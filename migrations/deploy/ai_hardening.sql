-- Deploy pg_woocommerce:ai_hardening to pg
-- Built-ins that model-written SQL has no business calling, revoked from PUBLIC
-- in this database (superusers keep them; woo_app and woo_owner get back the
-- ones an application may use). Each closes an attack listed in the README:
--   temporary objects (shadowing a table), sleeping and advisory locks (denial
--   of service), NOTIFY (a side channel), large objects (writes outside the
--   tables), signalling backends, SQL-in-a-string runners (query_to_xml & co.),
--   planner statistics (pg_stats shows values of every store), WAL writes
--   outside any table (pg_logical_emit_message works even read-only), and
--   set_config: from inside woo.ai_query a non-local set_config() would outlive
--   the call and change the application's (pooled) session: search_path,
--   TimeZone, statement_timeout, default_transaction_read_only, row_security.
--   Model SQL has no use for it; woo_app and woo_owner get it back
--   (woo.set_store runs as its caller and binds the store with it).
BEGIN;

DO $$
DECLARE
    f regprocedure;
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    FOR f IN
        SELECT p.oid::regprocedure FROM pg_proc p
         WHERE p.pronamespace = 'pg_catalog'::regnamespace
           AND (p.proname LIKE 'pg\_advisory%' OR p.proname LIKE 'pg\_try\_advisory%'
                OR p.proname IN ('pg_sleep', 'pg_sleep_for', 'pg_sleep_until', 'pg_notify',
                                 'lo_import', 'lo_export', 'lo_creat', 'lo_create', 'lo_from_bytea', 'lo_put',
                                 'lowrite', 'lo_truncate', 'lo_truncate64', 'lo_unlink',
                                 'pg_cancel_backend', 'pg_terminate_backend',
                                 'pg_logical_emit_message', 'set_config',
                                 'query_to_xml', 'query_to_xmlschema', 'query_to_xml_and_xmlschema',
                                 'cursor_to_xml', 'cursor_to_xmlschema',
                                 'table_to_xml', 'table_to_xmlschema', 'table_to_xml_and_xmlschema',
                                 'schema_to_xml', 'schema_to_xmlschema', 'schema_to_xml_and_xmlschema',
                                 'database_to_xml', 'database_to_xmlschema', 'database_to_xml_and_xmlschema'))
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        IF f::text LIKE 'pg\_advisory%' OR f::text LIKE 'pg\_try\_advisory%' OR f::text LIKE 'set\_config%' THEN
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO woo_app, woo_owner', f);
        END IF;
    END LOOP;
END $$;

REVOKE SELECT ON pg_catalog.pg_stats, pg_catalog.pg_stats_ext, pg_catalog.pg_stats_ext_exprs FROM PUBLIC;

COMMIT;
