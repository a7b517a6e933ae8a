-- Revert pg_woocommerce:ai_hardening from pg
BEGIN;

DO $$
DECLARE
    f regprocedure;
BEGIN
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC', current_database());
    FOR f IN
        SELECT p.oid::regprocedure FROM pg_proc p
         WHERE p.pronamespace = 'pg_catalog'::regnamespace
           AND (p.proname LIKE 'pg\_advisory%' OR p.proname LIKE 'pg\_try\_advisory%'
                OR p.proname IN ('pg_sleep', 'pg_sleep_for', 'pg_sleep_until', 'pg_notify',
                                 'lo_creat', 'lo_create', 'lo_from_bytea', 'lo_put',
                                 'lowrite', 'lo_truncate', 'lo_truncate64', 'lo_unlink',
                                 'pg_cancel_backend', 'pg_terminate_backend',
                                 'pg_logical_emit_message', 'set_config',
                                 'query_to_xml', 'query_to_xmlschema', 'query_to_xml_and_xmlschema',
                                 'cursor_to_xml', 'cursor_to_xmlschema',
                                 'table_to_xml', 'table_to_xmlschema', 'table_to_xml_and_xmlschema',
                                 'schema_to_xml', 'schema_to_xmlschema', 'schema_to_xml_and_xmlschema',
                                 'database_to_xml', 'database_to_xmlschema', 'database_to_xml_and_xmlschema'))
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f);
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM woo_app, woo_owner', f);
    END LOOP;
END $$;

GRANT SELECT ON pg_catalog.pg_stats, pg_catalog.pg_stats_ext, pg_catalog.pg_stats_ext_exprs TO PUBLIC;

COMMIT;
