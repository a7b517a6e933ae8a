-- Verify pg_woocommerce:ingest_rejects on pg
SELECT id, store_id, resource, wc_id, payload, error, sqlstate, received_at FROM woo.ingest_rejects WHERE false;
SELECT 1 / (relrowsecurity AND relforcerowsecurity)::int FROM pg_class WHERE oid = 'woo.ingest_rejects'::regclass;
SELECT 1 / has_schema_privilege('woo_owner', 'woo', 'USAGE')::int;
