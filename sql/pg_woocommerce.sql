-- pg_woocommerce: the full script of the current version (default_version in
-- extension/pg_woocommerce.control). The build copies it to
-- pg_woocommerce--<version>.sql; older versions are frozen in their own files
-- and reached by the upgrade scripts pg_woocommerce--A--B.sql.

\echo Use "CREATE EXTENSION pg_woocommerce" to load this file. \quit

CREATE SCHEMA woo;
COMMENT ON SCHEMA woo IS 'pg_woocommerce: functions for syncing WooCommerce stores';

-- E-mail hashing ------------------------------------------------------------

CREATE FUNCTION woo.normalize_email(email text) RETURNS text
    AS 'MODULE_PATHNAME', 'woo_normalize_email'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION woo.normalize_email(text) IS
    'Trims ASCII whitespace and ASCII-lower-cases an e-mail address; NULL when empty';

CREATE FUNCTION woo.normalize_email(email text, gmail_canonical boolean) RETURNS text
    AS 'MODULE_PATHNAME', 'woo_normalize_email'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION woo.normalize_email(text, boolean) IS
    'normalize_email, plus (when true) the gmail.com canonical form: no dots, no +tag, googlemail.com -> gmail.com';

CREATE FUNCTION woo.hash_email(email text) RETURNS text
    AS 'MODULE_PATHNAME', 'woo_hash_email'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION woo.hash_email(text) IS
    'Lowercase hex SHA-256 of the UTF-8 bytes of woo.normalize_email(email); NULL when empty';

CREATE FUNCTION woo.hash_email(email text, gmail_canonical boolean) RETURNS text
    AS 'MODULE_PATHNAME', 'woo_hash_email'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION woo.hash_email(text, boolean) IS
    'Lowercase hex SHA-256 of the UTF-8 bytes of woo.normalize_email(email, gmail_canonical); NULL when empty';

-- Tenant binding (1.1) ---------------------------------------------------------

CREATE FUNCTION woo._loaded_at_startup() RETURNS boolean
    AS 'MODULE_PATHNAME', 'woo_loaded_at_startup'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION woo._loaded_at_startup() IS
    'Internal: true when the library was loaded through shared_preload_libraries';

DO $$
BEGIN
    IF NOT woo._loaded_at_startup() THEN
        RAISE EXCEPTION 'pg_woocommerce must be loaded through shared_preload_libraries'
            USING ERRCODE = '55000',
                  HINT = 'Add pg_woocommerce to shared_preload_libraries in postgresql.conf, restart the server, then run CREATE EXTENSION again.';
    END IF;
END $$;

CREATE FUNCTION woo.current_store() RETURNS uuid
    AS 'MODULE_PATHNAME', 'woo_current_store'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION woo.current_store() IS
    'The store bound by woo.store_id; raises 42501 when none is bound (never "all stores")';

CREATE FUNCTION woo.set_store(store_id uuid) RETURNS uuid
    LANGUAGE plpgsql VOLATILE
    -- No SET clause: it would undo the binding when the function returns.
    AS $$
BEGIN
    IF store_id IS NULL THEN
        RAISE EXCEPTION 'woo.set_store: store_id must not be NULL' USING ERRCODE = '22004';
    END IF;
    PERFORM pg_catalog.set_config('woo.store_id', store_id::text, true);
    RETURN store_id;
END $$;
COMMENT ON FUNCTION woo.set_store(uuid) IS
    'Binds a store for the rest of the current transaction (SET LOCAL woo.store_id)';

CREATE FUNCTION woo.ai_query(sql text, max_rows integer DEFAULT 1000) RETURNS SETOF jsonb
    AS 'MODULE_PATHNAME', 'woo_ai_query'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION woo.ai_query(text, integer) IS
    'Runs one read-only SELECT as role woo_ai under the bound store; returns each row as a jsonb object';

CREATE FUNCTION woo.create_ai_login(store_id uuid, login name, password text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    timeout text := pg_catalog.current_setting('woo.ai_statement_timeout');
BEGIN
    IF store_id IS NULL OR login IS NULL OR password IS NULL THEN
        RAISE EXCEPTION 'woo.create_ai_login: store_id, login and password are required' USING ERRCODE = '22004';
    END IF;
    IF login !~ '^[a-z_][a-z0-9_]*$' THEN
        RAISE EXCEPTION 'woo.create_ai_login: login "%" must be a lower-case identifier', login USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM public.stores s WHERE s.id = create_ai_login.store_id) THEN
        RAISE EXCEPTION 'woo.create_ai_login: no store %', store_id USING ERRCODE = '23503';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L IN ROLE woo_ai',
                   login, password);
    EXECUTE format('ALTER ROLE %I SET woo.store_id = %L', login, store_id);
    EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', login, timeout);
    EXECUTE format('ALTER ROLE %I SET default_transaction_read_only = on', login);
    EXECUTE format('ALTER ROLE %I SET search_path = pg_catalog, public, pg_temp', login);
END $$;
COMMENT ON FUNCTION woo.create_ai_login(uuid, name, text) IS
    'Creates a LOGIN role in woo_ai whose woo.store_id is pinned to one store (owner only)';

-- Nothing is executable by PUBLIC: the migrations grant each function to the
-- roles that need it.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA woo FROM PUBLIC;

