-- Privileges and policies, asserted exactly, so that a new table without RLS, an extra or
-- widened policy, a widened grant, a new role attribute or a new woo.* function that nobody
-- reviewed fails the suite. The attacks themselves are in 030 and 031.
BEGIN;
SELECT plan(529);

-- The tables under RLS with four policies: the ten seed tables in public and refunds (1.6);
-- below, public.sales_daily (read-only), woo.ingest_rejects and woo.load_checkpoints.
CREATE FUNCTION pg_temp.tables() RETURNS SETOF text LANGUAGE sql IMMUTABLE AS $$
    SELECT unnest(ARRAY['stores', 'categories', 'products', 'customers', 'orders', 'order_items',
                        'coupons', 'saved_charts', 'conversations', 'sync_logs', 'refunds'])
$$;

-- Policies: exactly four per table, named <table>_<command>, for the command of their name,
-- SELECT for woo_app and woo_ai, the writes for woo_app only (roles named, never PUBLIC).
CREATE FUNCTION pg_temp.policy_checks() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    t text;
    c text;
BEGIN
    FOR t IN SELECT * FROM pg_temp.tables() LOOP
        RETURN NEXT policies_are('public', t, ARRAY[t || '_select', t || '_insert', t || '_update', t || '_delete'],
                                 format('%s has exactly the policies %s_select|_insert|_update|_delete', t, t));
        FOREACH c IN ARRAY ARRAY['select', 'insert', 'update', 'delete'] LOOP
            RETURN NEXT policy_cmd_is('public', t, (t || '_' || c)::name, c, format('policy %s_%s is FOR %s', t, c, upper(c)));
            RETURN NEXT policy_roles_are('public', t, (t || '_' || c)::name,
                                         CASE c WHEN 'select' THEN ARRAY['woo_app', 'woo_ai']::name[] ELSE ARRAY['woo_app']::name[] END,
                                         format('policy %s_%s applies to %s', t, c, CASE c WHEN 'select' THEN 'woo_app, woo_ai' ELSE 'woo_app' END));
        END LOOP;
    END LOOP;
END $$;
SELECT * FROM pg_temp.policy_checks();

SELECT policies_are('woo', 'ingest_rejects', ARRAY['ingest_rejects_select', 'ingest_rejects_insert', 'ingest_rejects_delete'],
                    'woo.ingest_rejects has exactly its select, insert and delete policies');
SELECT policy_cmd_is('woo', 'ingest_rejects', 'ingest_rejects_select', 'select', 'policy ingest_rejects_select is FOR SELECT');
SELECT policy_cmd_is('woo', 'ingest_rejects', 'ingest_rejects_insert', 'insert', 'policy ingest_rejects_insert is FOR INSERT');
SELECT policy_cmd_is('woo', 'ingest_rejects', 'ingest_rejects_delete', 'delete', 'policy ingest_rejects_delete is FOR DELETE');
SELECT policy_roles_are('woo', 'ingest_rejects', 'ingest_rejects_select', ARRAY['woo_app'], 'policy ingest_rejects_select applies to woo_app');
SELECT policy_roles_are('woo', 'ingest_rejects', 'ingest_rejects_insert', ARRAY['woo_app'], 'policy ingest_rejects_insert applies to woo_app');
SELECT policy_roles_are('woo', 'ingest_rejects', 'ingest_rejects_delete', ARRAY['woo_app'], 'policy ingest_rejects_delete applies to woo_app');
SELECT policies_are('woo', 'load_checkpoints', ARRAY['load_checkpoints_select', 'load_checkpoints_insert'],
                    'woo.load_checkpoints has exactly its select and insert policies');
SELECT policy_cmd_is('woo', 'load_checkpoints', 'load_checkpoints_select', 'select', 'policy load_checkpoints_select is FOR SELECT');
SELECT policy_cmd_is('woo', 'load_checkpoints', 'load_checkpoints_insert', 'insert', 'policy load_checkpoints_insert is FOR INSERT');
SELECT policy_roles_are('woo', 'load_checkpoints', 'load_checkpoints_select', ARRAY['woo_app'], 'policy load_checkpoints_select applies to woo_app');
SELECT policy_roles_are('woo', 'load_checkpoints', 'load_checkpoints_insert', ARRAY['woo_app'], 'policy load_checkpoints_insert applies to woo_app');

-- The rollup (issue 14) is written only by the extension's SECURITY DEFINER triggers: a
-- SELECT policy and nothing else.
SELECT policies_are('public', 'sales_daily', ARRAY['sales_daily_select'], 'sales_daily has exactly one policy, sales_daily_select');
SELECT policy_cmd_is('public', 'sales_daily', 'sales_daily_select', 'select', 'policy sales_daily_select is FOR SELECT');
SELECT policy_roles_are('public', 'sales_daily', 'sales_daily_select', ARRAY['woo_app', 'woo_ai'], 'policy sales_daily_select applies to woo_app, woo_ai');

-- No other policy anywhere, and every policy is exactly "key = (SELECT woo.current_store())":
-- an extra permissive policy, or an OR added to one, fails here.
SELECT is((SELECT count(*) FROM pg_policies WHERE schemaname = 'public'), 45::bigint, 'public has exactly 45 policies (11 tables x 4 + sales_daily''s 1)');
SELECT is((SELECT count(*) FROM pg_policies), 50::bigint, 'the database has exactly 50 policies (45 + woo.ingest_rejects'' 3 + woo.load_checkpoints'' 2)');
SELECT is_empty(
    $$SELECT schemaname, tablename, policyname FROM pg_policies
       WHERE policyname !~ ('^' || tablename || '_(select|insert|update|delete)$')
          OR permissive <> 'PERMISSIVE'
          OR cmd <> upper(substring(policyname FROM '_([a-z]+)$'))
          OR (cmd IN ('SELECT', 'UPDATE', 'DELETE')) <> (qual IS NOT NULL)
          OR (cmd IN ('INSERT', 'UPDATE')) <> (with_check IS NOT NULL)
          OR coalesce(qual, with_check) <> format('(%s = ( SELECT woo.current_store() AS current_store))',
                                                  CASE tablename WHEN 'stores' THEN 'id' ELSE 'store_id' END)
          OR coalesce(with_check, qual) <> coalesce(qual, with_check)$$,
    'every policy is named <table>_<cmd>, permissive, and keyed exactly on (SELECT woo.current_store())');

-- RLS enabled and FORCEd on every table of our schemas, including any table added later.
SELECT is_empty(
    $$SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname IN ('public', 'woo') AND c.relkind IN ('r', 'p')
         AND NOT (c.relrowsecurity AND c.relforcerowsecurity)$$,
    'every table in public and woo has row-level security enabled and forced');
SELECT is_empty(
    $$SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname IN ('public', 'woo') AND c.relkind IN ('r', 'p')
         AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polcmd = 'r')$$,
    'every table in public and woo has a SELECT policy');
SELECT is_empty(
    $$SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname IN ('public', 'woo') AND c.relkind IN ('r', 'p')
         AND pg_get_userbyid(c.relowner) <> 'woo_owner'$$,
    'every table in public and woo is owned by woo_owner');
-- Views and materialized views: RLS does not apply to materialized views, and a view runs
-- with its owner's rights unless security_invoker: none may be owned by a role that bypasses RLS.
SELECT is_empty(
    $$SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname IN ('public', 'woo') AND c.relkind = 'm'$$,
    'no materialized view in public or woo (RLS would not apply to it)');
SELECT is_empty(
    $$SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_roles r ON r.oid = c.relowner
       WHERE n.nspname IN ('public', 'woo') AND c.relkind = 'v'
         AND (r.rolsuper OR r.rolbypassrls)
         AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false)$$,
    'no view in public or woo runs with the rights of a role that bypasses RLS');

-- Table privileges: woo_app reads and writes, woo_ai reads (stores and customers only by
-- column), woo_owner owns, PUBLIC has nothing.
CREATE FUNCTION pg_temp.table_priv_checks() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT * FROM pg_temp.tables() LOOP
        RETURN NEXT table_privs_are('public', t, 'woo_app', ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
                                    format('woo_app has exactly SELECT, INSERT, UPDATE, DELETE on %s', t));
        RETURN NEXT table_privs_are('public', t, 'woo_ai',
                                    CASE WHEN t IN ('stores', 'customers') THEN ARRAY[]::name[] ELSE ARRAY['SELECT']::name[] END,
                                    format('woo_ai has %s on %s', CASE WHEN t IN ('stores', 'customers') THEN 'no table-wide privilege'
                                                                       ELSE 'exactly SELECT' END, t));
        RETURN NEXT table_privs_are('public', t, 'woo_owner', ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'],
                                    format('woo_owner has the owner''s privileges on %s', t));
        RETURN NEXT table_privs_are('public', t, 'public', ARRAY[]::name[], format('PUBLIC has no privilege on %s', t));
    END LOOP;
END $$;
SELECT * FROM pg_temp.table_priv_checks();
SELECT table_privs_are('public', 'sales_daily', 'woo_app', ARRAY['SELECT'], 'woo_app has exactly SELECT on sales_daily');
SELECT table_privs_are('public', 'sales_daily', 'woo_ai', ARRAY['SELECT'], 'woo_ai has exactly SELECT on sales_daily');
SELECT table_privs_are('public', 'sales_daily', 'woo_owner', ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'],
                       'woo_owner has the owner''s privileges on sales_daily');
SELECT table_privs_are('public', 'sales_daily', 'public', ARRAY[]::name[], 'PUBLIC has no privilege on sales_daily');
-- The canonical views: read by woo_app and woo_ai (security_invoker: under their RLS), nothing else.
SELECT table_privs_are('public', v, r, CASE WHEN r = 'public' THEN ARRAY[]::name[] ELSE ARRAY['SELECT']::name[] END,
                       format('%s has %s on view %s', r, CASE WHEN r = 'public' THEN 'no privilege' ELSE 'exactly SELECT' END, v))
  FROM unnest(ARRAY['metrics_daily', 'metrics_product_daily', 'metrics_coupon_daily', 'customer_segments']) v
 CROSS JOIN unnest(ARRAY['woo_app', 'woo_ai', 'public']) r;
SELECT table_privs_are('woo', 'ingest_rejects', 'woo_app', ARRAY['SELECT', 'INSERT', 'DELETE'], 'woo_app has exactly SELECT, INSERT, DELETE on woo.ingest_rejects');
SELECT table_privs_are('woo', 'ingest_rejects', 'woo_ai', ARRAY[]::name[], 'woo_ai has no privilege on woo.ingest_rejects');
SELECT table_privs_are('woo', 'ingest_rejects', 'woo_owner', ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'],
                       'woo_owner has the owner''s privileges on woo.ingest_rejects');
SELECT table_privs_are('woo', 'ingest_rejects', 'public', ARRAY[]::name[], 'PUBLIC has no privilege on woo.ingest_rejects');
SELECT table_privs_are('woo', 'load_checkpoints', 'woo_app', ARRAY['SELECT', 'INSERT'], 'woo_app has exactly SELECT, INSERT on woo.load_checkpoints');
SELECT table_privs_are('woo', 'load_checkpoints', 'woo_ai', ARRAY[]::name[], 'woo_ai has no privilege on woo.load_checkpoints');
SELECT table_privs_are('woo', 'load_checkpoints', 'woo_owner', ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'],
                       'woo_owner has the owner''s privileges on woo.load_checkpoints');
SELECT table_privs_are('woo', 'load_checkpoints', 'public', ARRAY[]::name[], 'PUBLIC has no privilege on woo.load_checkpoints');

-- Column privileges: the secrets are unreadable by woo_ai; the readable columns are exactly these.
SELECT column_privs_are('public', 'stores', 'api_key_hash', 'woo_ai', ARRAY[]::name[], 'woo_ai has no privilege on stores.api_key_hash');
SELECT column_privs_are('public', 'stores', 'settings', 'woo_ai', ARRAY[]::name[], 'woo_ai has no privilege on stores.settings');
SELECT column_privs_are('public', 'customers', 'email_hash', 'woo_ai', ARRAY[]::name[], 'woo_ai has no privilege on customers.email_hash');
SELECT column_privs_are('public', 'customers', 'payload_hash', 'woo_ai', ARRAY[]::name[], 'woo_ai has no privilege on customers.payload_hash');
SELECT column_privs_are('public', 'stores', 'store_url', 'woo_ai', ARRAY['SELECT'], 'woo_ai may SELECT stores.store_url');
SELECT results_eq(
    $$SELECT attname::text COLLATE "default" FROM pg_attribute WHERE attrelid = 'public.stores'::regclass AND attnum > 0 AND NOT attisdropped
         AND has_column_privilege('woo_ai', attrelid, attnum, 'SELECT') ORDER BY attnum$$,
    $$VALUES ('id'), ('store_url'), ('wc_version'), ('plan'), ('connected_at'), ('last_sync_at'), ('is_active')$$,
    'woo_ai can read exactly these columns of stores');
SELECT results_eq(
    $$SELECT attname::text COLLATE "default" FROM pg_attribute WHERE attrelid = 'public.customers'::regclass AND attnum > 0 AND NOT attisdropped
         AND has_column_privilege('woo_ai', attrelid, attnum, 'SELECT') ORDER BY attnum$$,
    $$VALUES ('id'), ('store_id'), ('wc_customer_id'), ('display_name'), ('total_spent'), ('order_count'),
             ('first_order_date'), ('last_order_date'), ('created_at')$$,
    'woo_ai can read exactly these columns of customers');
SELECT is_empty(
    $$SELECT c.oid::regclass, a.attname, p.priv FROM pg_class c
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        CROSS JOIN unnest(ARRAY['INSERT', 'UPDATE', 'REFERENCES']) p(priv)
       WHERE c.relnamespace IN ('public'::regnamespace, 'woo'::regnamespace) AND c.relkind IN ('r', 'p', 'v')
         AND has_column_privilege('woo_ai', c.oid, a.attnum, p.priv)$$,
    'woo_ai cannot INSERT, UPDATE or REFERENCE any column of any table or view in public or woo');

-- Functions of schema woo: exactly these, and who may execute each.
SELECT functions_are('woo', ARRAY['_checkpoint', '_loaded_at_startup', 'ai_query', 'apply_webhook', 'create_ai_login', 'current_store',
                                  'customer_metrics_drift', 'excluded_statuses', 'expected_customer_metrics', 'hash_email',
                                  'normalize_email', 'recompute_customer_metrics', 'set_store', 'sync_finish', 'sync_start',
                                  'upsert_categories', 'upsert_coupons', 'upsert_customers', 'upsert_orders', 'upsert_products',
                                  'verify_webhook_signature',
                                  -- 1.5, issue 12
                                  '_api_key_matches', '_check_chart_config', '_redact_emails_jsonb', '_check_chart_fields', '_check_store_settings',
                                  '_hash_api_key', 'append_message', 'check_ai_query', 'configure_store', 'deactivate_store',
                                  'delete_chart', 'forget_customer', 'move_chart', 'normalize_store_url', 'purge_store',
                                  'redact_emails', 'register_store', 'rotate_store_key', 'run_chart', 'save_chart',
                                  'start_conversation', 'sync_cursor', 'update_chart', 'verify_store_key',
                                  -- 1.6, issue 14
                                  '_rebuild_sales_daily', '_sales_daily_stores', '_store_rules', '_sync_order_refunds', 'ai_context',
                                  'ai_context_jsonb', 'analytics_drift', 'expected_sales_daily', 'repair_analytics', 'store_day_rules',
                                  'upsert_refunds',
                                  -- 1.7, issue 14
                                  '_sales_daily_flush', '_sales_daily_trigger'],
                     'schema woo has exactly the reviewed functions');
SELECT is((SELECT count(*) FROM pg_proc WHERE pronamespace = 'woo'::regnamespace), 60::bigint,
          'schema woo has exactly 60 functions (two overloaded), all of them below');
CREATE FUNCTION pg_temp.function_priv_checks() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    f record;
    r text;
    want name[];
BEGIN
    -- function, argument types, executable by woo_app / woo_ai / woo_owner
    FOR f IN SELECT * FROM (VALUES
        ('_checkpoint',                ARRAY['anyelement'],                       false, true,  false),
        ('_loaded_at_startup',         ARRAY[]::name[],                           false, false, false),
        ('ai_query',                   ARRAY['text', 'integer'],                  true,  false, false),
        ('apply_webhook',              ARRAY['uuid', 'text', 'jsonb'],            true,  false, false),
        ('create_ai_login',            ARRAY['uuid', 'name', 'text'],             false, false, true),
        ('current_store',              ARRAY[]::name[],                           true,  true,  false),
        ('customer_metrics_drift',     ARRAY['uuid'],                             true,  false, false),
        ('excluded_statuses',          ARRAY['uuid'],                             true,  false, false),
        ('expected_customer_metrics',  ARRAY['uuid', 'uuid[]'],                   true,  false, false),
        ('hash_email',                 ARRAY['text'],                             true,  false, false),
        ('hash_email',                 ARRAY['text', 'boolean'],                  true,  false, false),
        ('normalize_email',            ARRAY['text'],                             true,  false, false),
        ('normalize_email',            ARRAY['text', 'boolean'],                  true,  false, false),
        ('recompute_customer_metrics', ARRAY['uuid', 'uuid[]'],                   true,  false, false),
        ('set_store',                  ARRAY['uuid'],                             true,  false, false),
        ('sync_finish',                ARRAY['uuid', 'integer', 'text'],          true,  false, false),
        ('sync_start',                 ARRAY['uuid', 'text'],                     true,  false, false),
        ('upsert_categories',          ARRAY['uuid', 'jsonb', 'boolean'],         true,  false, false),
        ('upsert_coupons',             ARRAY['uuid', 'jsonb', 'boolean'],         true,  false, false),
        ('upsert_customers',           ARRAY['uuid', 'jsonb', 'boolean'],         true,  false, false),
        ('upsert_orders',              ARRAY['uuid', 'jsonb', 'boolean'],         true,  false, false),
        ('upsert_products',            ARRAY['uuid', 'jsonb', 'boolean'],         true,  false, false),
        ('verify_webhook_signature',   ARRAY['text', 'text', 'text'],             true,  false, false),
        -- 1.5, issue 12 (woo_onboarding: register_store and normalize_store_url only, below)
        ('_api_key_matches',           ARRAY['text', 'text'],                     false, false, false),
        ('_check_chart_config',        ARRAY['jsonb'],                            true,  false, false),
        ('_check_chart_fields',        ARRAY['text', 'text', 'jsonb'],            true,  false, false),
        ('_check_store_settings',      ARRAY['jsonb'],                            true,  false, false),
        ('_hash_api_key',              ARRAY['text', 'text'],                     true,  false, false),
        ('_redact_emails_jsonb',       ARRAY['jsonb'],                            true,  false, false),
        ('append_message',             ARRAY['uuid', 'text', 'text', 'jsonb'],    true,  false, false),
        ('check_ai_query',             ARRAY['text'],                             true,  false, false),
        ('configure_store',            ARRAY['uuid', 'jsonb'],                    true,  false, false),
        ('deactivate_store',           ARRAY['uuid'],                             true,  false, false),
        ('delete_chart',               ARRAY['uuid'],                             true,  false, false),
        ('forget_customer',            ARRAY['uuid', 'text'],                     true,  false, false),
        ('move_chart',                 ARRAY['uuid', 'integer'],                  true,  false, false),
        ('normalize_store_url',        ARRAY['text'],                             true,  false, false),
        ('purge_store',                ARRAY['uuid'],                             false, false, true),
        ('redact_emails',              ARRAY['text'],                             true,  false, false),
        ('register_store',             ARRAY['text', 'text', 'text', 'text', 'jsonb'], false, false, false),
        ('rotate_store_key',           ARRAY['uuid', 'text'],                     true,  false, false),
        ('run_chart',                  ARRAY['uuid', 'integer'],                  true,  false, false),
        ('save_chart',                 ARRAY['uuid', 'text', 'text', 'jsonb', 'integer'], true, false, false),
        ('start_conversation',         ARRAY['uuid'],                             true,  false, false),
        ('sync_cursor',                ARRAY['uuid', 'text'],                     true,  false, false),
        ('update_chart',               ARRAY['uuid', 'text', 'text', 'jsonb'],    true,  false, false),
        ('verify_store_key',           ARRAY['text', 'text'],                     true,  false, false),
        -- 1.6, issue 14 (the trigger functions and the rollup's writers: nobody)
        ('_rebuild_sales_daily',       ARRAY['uuid'],                             false, false, false),
        ('_sales_daily_stores',        ARRAY[]::name[],                           false, false, false),
        ('_store_rules',               ARRAY['uuid[]'],                           true,  false, false),
        ('_sync_order_refunds',        ARRAY['uuid', 'uuid[]', 'jsonb[]'],        true,  false, false),
        ('ai_context',                 ARRAY[]::name[],                           true,  false, false),
        ('ai_context_jsonb',           ARRAY[]::name[],                           true,  false, false),
        ('analytics_drift',            ARRAY['uuid'],                             true,  false, false),
        ('expected_sales_daily',       ARRAY['uuid'],                             true,  false, false),
        ('repair_analytics',           ARRAY['uuid'],                             true,  false, false),
        ('store_day_rules',            ARRAY[]::name[],                           true,  true,  false),
        ('upsert_refunds',             ARRAY['uuid', 'integer', 'jsonb', 'boolean'], true, false, false),
        -- 1.7, issue 14 (the trigger: nobody; the flush: the ingestion's callers)
        ('_sales_daily_flush',         ARRAY[]::name[],                           true,  false, false),
        ('_sales_daily_trigger',       ARRAY[]::name[],                           false, false, false)
    ) v(fn, args, app, ai, owner) LOOP
        FOREACH r IN ARRAY ARRAY['woo_app', 'woo_ai', 'woo_owner', 'woo_onboarding', 'public'] LOOP
            want := CASE WHEN (r = 'woo_app' AND f.app) OR (r = 'woo_ai' AND f.ai) OR (r = 'woo_owner' AND f.owner)
                              OR (r = 'woo_onboarding' AND f.fn IN ('register_store', 'normalize_store_url'))
                         THEN ARRAY['EXECUTE']::name[] ELSE ARRAY[]::name[] END;
            RETURN NEXT function_privs_are('woo', f.fn, f.args, r, want,
                format('%s %s execute woo.%s(%s)', r, CASE WHEN want = '{}' THEN 'may not' ELSE 'may' END, f.fn, array_to_string(f.args, ', ')));
        END LOOP;
    END LOOP;
END $$;
SELECT * FROM pg_temp.function_priv_checks();
SELECT results_eq(
    $$SELECT p.oid::regprocedure::text, array_to_string(p.proconfig, ',') COLLATE "default" FROM pg_proc p
       WHERE p.pronamespace = 'woo'::regnamespace AND p.prosecdef ORDER BY 1$$,
    $$VALUES ('woo._sales_daily_flush()', 'search_path=pg_catalog, pg_temp'),
             ('woo._sales_daily_stores()', 'search_path=pg_catalog, pg_temp'),
             ('woo._sales_daily_trigger()', 'search_path=pg_catalog, pg_temp'),
             ('woo.create_ai_login(uuid,name,text)', 'search_path=pg_catalog, pg_temp'),
             ('woo.purge_store(uuid)', 'search_path=pg_catalog, pg_temp'),
             ('woo.register_store(text,text,text,text,jsonb)', 'search_path=pg_catalog, pg_temp'),
             ('woo.repair_analytics(uuid)', 'search_path=pg_catalog, pg_temp'),
             ('woo.store_day_rules()', 'search_path=pg_catalog, pg_temp'),
             ('woo.verify_store_key(text,text)', 'search_path=pg_catalog, pg_temp')$$,
    'the SECURITY DEFINER functions of schema woo are create_ai_login, purge_store, register_store, verify_store_key, the rollup''s two trigger functions and its flush, repair_analytics and store_day_rules, each with a fixed search_path');

-- Roles: none of ours can log in, is superuser or bypasses RLS; none is a member of another role.
SELECT results_eq(
    $$SELECT rolname::text COLLATE "default", rolcanlogin, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolreplication, rolinherit
        FROM pg_roles WHERE rolname IN ('woo_owner', 'woo_app', 'woo_ai', 'woo_onboarding') ORDER BY rolname$$,
    $$VALUES ('woo_ai', false, false, false, false, false, false, true),
             ('woo_app', false, false, false, false, false, false, true),
             ('woo_onboarding', false, false, false, false, false, false, true),
             ('woo_owner', false, false, false, false, false, false, true)$$,
    'woo_owner, woo_app, woo_ai and woo_onboarding: no LOGIN, SUPERUSER, BYPASSRLS, CREATEROLE, CREATEDB, REPLICATION');
SELECT is_empty(
    $$SELECT m.rolname, r.rolname FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member JOIN pg_roles r ON r.oid = a.roleid
       WHERE m.rolname IN ('woo_owner', 'woo_app', 'woo_ai', 'woo_onboarding')$$,
    'woo_owner, woo_app, woo_ai and woo_onboarding are members of no role (no inherited rights)');
SELECT is_empty(
    $$SELECT c.oid::regclass FROM pg_class c
       WHERE c.relnamespace IN ('public'::regnamespace, 'woo'::regnamespace) AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
         AND (has_table_privilege('woo_onboarding', c.oid, 'SELECT') OR has_table_privilege('woo_onboarding', c.oid, 'INSERT')
              OR has_table_privilege('woo_onboarding', c.oid, 'UPDATE') OR has_table_privilege('woo_onboarding', c.oid, 'DELETE'))$$,
    'woo_onboarding has no privilege on any table (woo.register_store is its only way in)');
SELECT schema_privs_are('woo', 'woo_onboarding', ARRAY['USAGE'], 'woo_onboarding has USAGE only on schema woo');
SELECT is_empty($$SELECT rolname FROM pg_roles WHERE rolbypassrls AND NOT rolsuper$$, 'no role but the superusers bypasses RLS');

-- The tenant parameter: only woo_app (and superusers) may set woo.store_id; nobody but
-- superusers may set woo.ai_statement_timeout.
SELECT ok(has_parameter_privilege('woo_app', 'woo.store_id', 'SET'), 'woo_app may SET woo.store_id');
SELECT ok(NOT has_parameter_privilege('woo_ai', 'woo.store_id', 'SET'), 'woo_ai may not SET woo.store_id');
SELECT ok(NOT has_parameter_privilege('woo_owner', 'woo.store_id', 'SET'), 'woo_owner may not SET woo.store_id');
SELECT ok(NOT has_parameter_privilege('public', 'woo.store_id', 'SET'), 'PUBLIC may not SET woo.store_id');
SELECT ok(NOT has_parameter_privilege('woo_app', 'woo.ai_statement_timeout', 'SET'), 'woo_app may not SET woo.ai_statement_timeout');
SELECT results_eq($$SELECT context FROM pg_settings WHERE name IN ('woo.store_id', 'woo.ai_statement_timeout') ORDER BY name$$,
                  $$VALUES ('superuser'::text), ('superuser')$$, 'woo.store_id and woo.ai_statement_timeout are superuser-only (PGC_SUSET)');

-- Database and schema privileges: no TEMPORARY for anyone but superusers, no CREATE.
SELECT database_privs_are(current_database(), 'woo_ai', ARRAY['CONNECT'], 'woo_ai has CONNECT only on the database (no TEMPORARY, no CREATE)');
SELECT database_privs_are(current_database(), 'woo_app', ARRAY['CONNECT'], 'woo_app has CONNECT only on the database');
SELECT database_privs_are(current_database(), 'public', ARRAY['CONNECT'], 'PUBLIC has CONNECT only on the database (TEMPORARY revoked)');
SELECT schema_privs_are('public', 'woo_ai', ARRAY['USAGE'], 'woo_ai has USAGE only on schema public (no CREATE)');
SELECT schema_privs_are('public', 'woo_app', ARRAY['USAGE'], 'woo_app has USAGE only on schema public');
SELECT schema_privs_are('woo', 'woo_ai', ARRAY['USAGE'], 'woo_ai has USAGE only on schema woo');
SELECT schema_privs_are('woo', 'woo_app', ARRAY['USAGE'], 'woo_app has USAGE only on schema woo');
SELECT schema_privs_are('woo', 'woo_owner', ARRAY['USAGE'], 'woo_owner has USAGE only on schema woo');
SELECT schema_privs_are('woo', 'public', ARRAY[]::name[], 'PUBLIC has nothing on schema woo');

-- Built-ins revoked for the AI path (ai_hardening): none executable by woo_ai.
SELECT is_empty(
    $$SELECT p.oid::regprocedure FROM pg_proc p
       WHERE p.pronamespace = 'pg_catalog'::regnamespace
         AND (p.proname LIKE 'pg\_advisory%' OR p.proname LIKE 'pg\_try\_advisory%'
              OR p.proname IN ('pg_sleep', 'pg_sleep_for', 'pg_sleep_until', 'pg_notify', 'pg_read_file', 'pg_read_binary_file',
                               'pg_ls_dir', 'lo_import', 'lo_export', 'lo_creat', 'lo_create', 'lo_from_bytea', 'lo_put',
                               'lowrite', 'lo_truncate', 'lo_truncate64', 'lo_unlink', 'pg_cancel_backend', 'pg_terminate_backend',
                               'pg_logical_emit_message', 'set_config',
                               'query_to_xml', 'query_to_xmlschema', 'query_to_xml_and_xmlschema',
                               'cursor_to_xml', 'cursor_to_xmlschema', 'table_to_xml', 'table_to_xmlschema',
                               'table_to_xml_and_xmlschema', 'schema_to_xml', 'schema_to_xmlschema', 'schema_to_xml_and_xmlschema',
                               'database_to_xml', 'database_to_xmlschema', 'database_to_xml_and_xmlschema'))
         AND has_function_privilege('woo_ai', p.oid, 'EXECUTE')$$,
    'woo_ai can execute none of the revoked built-ins (sleep, locks, files, large objects, NOTIFY, WAL, SQL-in-a-string, set_config)');
SELECT function_privs_are('pg_catalog', 'set_config', ARRAY['text', 'text', 'boolean'], 'woo_app', ARRAY['EXECUTE'],
                          'woo_app may execute set_config (woo.set_store runs as its caller)');
SELECT function_privs_are('pg_catalog', 'pg_advisory_xact_lock', ARRAY['bigint'], 'woo_app', ARRAY['EXECUTE'],
                          'woo_app may take advisory locks');
SELECT table_privs_are('pg_catalog', 'pg_stats', 'woo_ai', ARRAY[]::name[], 'woo_ai cannot read pg_stats');
SELECT table_privs_are('pg_catalog', 'pg_stats_ext', 'woo_ai', ARRAY[]::name[], 'woo_ai cannot read pg_stats_ext');
SELECT table_privs_are('pg_catalog', 'pg_stats_ext_exprs', 'woo_ai', ARRAY[]::name[], 'woo_ai cannot read pg_stats_ext_exprs');

-- Upsert conflict targets: every unique key of a table with store_id includes store_id
-- (only the primary keys on id, and stores.store_url, do not), and the WooCommerce ones exist.
SELECT results_eq(
    $$SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
       WHERE c.relnamespace IN ('public'::regnamespace, 'woo'::regnamespace) AND i.indisunique AND NOT i.indisprimary
         AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'store_id' AND a.attnum = ANY (i.indkey))
       ORDER BY 1$$,
    $$VALUES ('stores_store_url_key')$$,
    'every unique key but stores.store_url (and the primary keys) includes store_id');
SELECT results_eq(
    $$SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
       WHERE c.relnamespace = 'public'::regnamespace AND i.indisunique
         AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname ~ '^(wc_.*_id|email_hash)$' AND a.attnum = ANY (i.indkey))
       ORDER BY 1$$,
    $$VALUES ('categories_store_id_wc_category_id_key', 'CREATE UNIQUE INDEX categories_store_id_wc_category_id_key ON public.categories USING btree (store_id, wc_category_id)'),
             ('coupons_store_id_wc_coupon_id_key', 'CREATE UNIQUE INDEX coupons_store_id_wc_coupon_id_key ON public.coupons USING btree (store_id, wc_coupon_id)'),
             ('customers_store_guest_email_key', 'CREATE UNIQUE INDEX customers_store_guest_email_key ON public.customers USING btree (store_id, email_hash) WHERE (wc_customer_id IS NULL)'),
             ('customers_store_id_wc_customer_id_key', 'CREATE UNIQUE INDEX customers_store_id_wc_customer_id_key ON public.customers USING btree (store_id, wc_customer_id)'),
             ('orders_store_id_wc_order_id_key', 'CREATE UNIQUE INDEX orders_store_id_wc_order_id_key ON public.orders USING btree (store_id, wc_order_id)'),
             ('products_store_id_wc_product_id_key', 'CREATE UNIQUE INDEX products_store_id_wc_product_id_key ON public.products USING btree (store_id, wc_product_id)'),
             ('refunds_store_order_refund_key', 'CREATE UNIQUE INDEX refunds_store_order_refund_key ON public.refunds USING btree (store_id, order_id, wc_refund_id)')$$,
    'the upsert conflict targets are (store_id, wc_*_id), (store_id, email_hash) for guests and (store_id, order_id, wc_refund_id) for refunds');

SELECT * FROM finish();
ROLLBACK;
