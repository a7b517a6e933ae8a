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

-- Ingestion (1.2) ------------------------------------------------------------------

CREATE TYPE woo.upsert_result AS (
    inserted      integer,
    updated       integer,
    unchanged     integer,
    skipped_stale integer,
    deleted       integer,
    rejected      integer
);
COMMENT ON TYPE woo.upsert_result IS
    'What an upsert did with each top-level record of its payload';

CREATE FUNCTION woo.upsert_orders(store_id uuid, payload jsonb, strict boolean DEFAULT true) RETURNS woo.upsert_result
    AS 'MODULE_PATHNAME', 'woo_upsert_orders' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION woo.upsert_orders(uuid, jsonb, boolean) IS
    'Upserts WooCommerce orders (one object or an array) with their line items, customers and refunds';

CREATE FUNCTION woo.upsert_products(store_id uuid, payload jsonb, strict boolean DEFAULT true) RETURNS woo.upsert_result
    AS 'MODULE_PATHNAME', 'woo_upsert_products' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION woo.upsert_products(uuid, jsonb, boolean) IS
    'Upserts WooCommerce products and variations (one object or an array)';

CREATE FUNCTION woo.upsert_customers(store_id uuid, payload jsonb, strict boolean DEFAULT true) RETURNS woo.upsert_result
    AS 'MODULE_PATHNAME', 'woo_upsert_customers' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION woo.upsert_customers(uuid, jsonb, boolean) IS
    'Upserts WooCommerce customers (one object or an array); e-mails are stored hashed';

CREATE FUNCTION woo.upsert_categories(store_id uuid, payload jsonb, strict boolean DEFAULT true) RETURNS woo.upsert_result
    AS 'MODULE_PATHNAME', 'woo_upsert_categories' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION woo.upsert_categories(uuid, jsonb, boolean) IS
    'Upserts WooCommerce product categories (one object or an array), parents in any order';

CREATE FUNCTION woo.upsert_coupons(store_id uuid, payload jsonb, strict boolean DEFAULT true) RETURNS woo.upsert_result
    AS 'MODULE_PATHNAME', 'woo_upsert_coupons' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION woo.upsert_coupons(uuid, jsonb, boolean) IS
    'Upserts WooCommerce coupons (one object or an array)';

CREATE FUNCTION woo.apply_webhook(store_id uuid, topic text, payload jsonb) RETURNS woo.upsert_result
    AS 'MODULE_PATHNAME', 'woo_apply_webhook' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION woo.apply_webhook(uuid, text, jsonb) IS
    'Applies one WooCommerce webhook delivery (X-WC-Webhook-Topic and body)';

CREATE FUNCTION woo.verify_webhook_signature(body text, signature text, secret text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'woo_verify_webhook_signature' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION woo.verify_webhook_signature(text, text, text) IS
    'True when signature is the base64 HMAC-SHA256 of body under secret (constant-time comparison)';

CREATE FUNCTION woo.sync_start(store_id uuid, sync_type text) RETURNS uuid
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    sync_id uuid;
BEGIN
    IF sync_start.store_id IS NULL OR sync_type IS NULL THEN
        RAISE EXCEPTION 'woo.sync_start: store_id and sync_type are required' USING ERRCODE = '22004';
    END IF;
    IF sync_type NOT IN ('full', 'incremental', 'orders', 'products', 'customers', 'categories', 'coupons') THEN
        RAISE EXCEPTION 'woo.sync_start: unknown sync_type "%"', sync_type
            USING ERRCODE = '22023', HINT = 'full, incremental, orders, products, customers, categories or coupons';
    END IF;
    INSERT INTO public.sync_logs (store_id, sync_type) VALUES (sync_start.store_id, sync_type)
    RETURNING id INTO sync_id;
    RETURN sync_id;
END $$;
COMMENT ON FUNCTION woo.sync_start(uuid, text) IS 'Opens a sync_logs row (status running) and returns its id';

CREATE FUNCTION woo.sync_finish(sync_id uuid, records integer, error text DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    store uuid;
BEGIN
    IF sync_id IS NULL OR records IS NULL OR records < 0 THEN
        RAISE EXCEPTION 'woo.sync_finish: sync_id and a non-negative records count are required' USING ERRCODE = '22004';
    END IF;
    -- A failure schedules a retry: 1 minute, doubling with each failure, at most 6 hours.
    UPDATE public.sync_logs s
       SET records_synced = records,
           completed_at   = now(),
           status         = CASE WHEN error IS NULL THEN 'completed' ELSE 'failed' END,
           error_message  = error,
           retry_count    = s.retry_count + (error IS NOT NULL)::int,
           next_retry_at  = CASE WHEN error IS NULL THEN NULL
                                 ELSE now() + least(interval '1 minute' * power(2, s.retry_count), interval '6 hours') END
     WHERE s.id = sync_id AND s.status IN ('running', 'failed')
    RETURNING s.store_id INTO store;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'woo.sync_finish: no running or failed sync % in the bound store', sync_id USING ERRCODE = 'P0002';
    END IF;
    -- A completed sync is the store's last sync.
    IF error IS NULL THEN
        UPDATE public.stores st SET last_sync_at = now() WHERE st.id = store;
    END IF;
END $$;
COMMENT ON FUNCTION woo.sync_finish(uuid, integer, text) IS
    'Closes a sync: completed, or failed with retry_count + 1 and next_retry_at (1 min doubling, 6 h cap)';

REVOKE ALL ON FUNCTION woo.upsert_orders(uuid, jsonb, boolean), woo.upsert_products(uuid, jsonb, boolean),
                       woo.upsert_customers(uuid, jsonb, boolean), woo.upsert_categories(uuid, jsonb, boolean),
                       woo.upsert_coupons(uuid, jsonb, boolean), woo.apply_webhook(uuid, text, jsonb),
                       woo.verify_webhook_signature(text, text, text), woo.sync_start(uuid, text),
                       woo.sync_finish(uuid, integer, text) FROM PUBLIC;

-- Customer lifetime metrics (1.3) -----------------------------------------------------

-- The statuses that do not count, for a store: stores.settings->'excluded_statuses'
-- (a JSON array of strings) or WooCommerce Analytics' defaults plus drafts.
CREATE FUNCTION woo.excluded_statuses(store_id uuid) RETURNS text[]
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN coalesce(
        (SELECT array_agg(x) FROM public.stores s, jsonb_array_elements_text(
                 CASE WHEN jsonb_typeof(s.settings->'excluded_statuses') = 'array' THEN s.settings->'excluded_statuses' END) x
          WHERE s.id = excluded_statuses.store_id),
        ARRAY['pending', 'failed', 'cancelled', 'trash', 'checkout-draft']);
END $$;
COMMENT ON FUNCTION woo.excluded_statuses(uuid) IS
    'Order statuses not counted in customer metrics for a store (settings.excluded_statuses, else the defaults)';

-- The metrics as the orders say they are: one row per customer of the store
-- (only `customer_ids` when given), counted orders only, net of refunds.
-- total_spent saturates at the bounds of numeric(12,2) (+/-9999999999.99,
-- issue 10): one customer's lifetime beyond the column's range must not make
-- every later write of theirs fail; the bound value reads "this much or more".
CREATE FUNCTION woo.expected_customer_metrics(store_id uuid, customer_ids uuid[] DEFAULT NULL)
    RETURNS TABLE (customer_id uuid, total_spent numeric(12,2), order_count integer,
                   first_order_date timestamptz, last_order_date timestamptz)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    excluded text[] := woo.excluded_statuses(expected_customer_metrics.store_id);
BEGIN
    IF customer_ids IS NULL THEN
        -- The whole store: one pass over its orders.
        RETURN QUERY
        SELECT c.id, least(greatest(coalesce(m.spent, 0), -9999999999.99), 9999999999.99)::numeric(12,2), coalesce(m.n, 0)::integer, m.first, m.last
          FROM public.customers c
          LEFT JOIN (
                SELECT o.customer_id, sum(o.total - o.refunded_total) AS spent, count(*) AS n,
                       min(o.date_created) AS first, max(o.date_created) AS last
                  FROM public.orders o
                 WHERE o.store_id = expected_customer_metrics.store_id
                   AND o.customer_id IS NOT NULL
                   AND o.status <> ALL (excluded)
                 GROUP BY o.customer_id) m ON m.customer_id = c.id
         WHERE c.store_id = expected_customer_metrics.store_id;
    ELSE
        -- Some customers (an upsert's): each one's orders through idx_orders_store_customer.
        -- This shape does not depend on statistics, which lag far behind during a
        -- bulk load: a join planned on them re-aggregated the orders once per customer.
        RETURN QUERY
        SELECT c.id, least(greatest(coalesce(m.spent, 0), -9999999999.99), 9999999999.99)::numeric(12,2), m.n::integer, m.first, m.last
          FROM public.customers c
         CROSS JOIN LATERAL (
                SELECT sum(o.total - o.refunded_total) AS spent, count(*) AS n,
                       min(o.date_created) AS first, max(o.date_created) AS last
                  FROM public.orders o
                 WHERE o.store_id = expected_customer_metrics.store_id
                   AND o.customer_id = c.id
                   AND o.status <> ALL (excluded)) m
         WHERE c.id = ANY (expected_customer_metrics.customer_ids)
           AND c.store_id = expected_customer_metrics.store_id;
    END IF;
END $$;
COMMENT ON FUNCTION woo.expected_customer_metrics(uuid, uuid[]) IS
    'Customer metrics recomputed from the orders (what woo.recompute_customer_metrics writes)';

CREATE FUNCTION woo.recompute_customer_metrics(store_id uuid, customer_ids uuid[] DEFAULT NULL) RETURNS integer
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    changed integer;
    excluded text[];
BEGIN
    IF store_id IS NULL THEN
        RAISE EXCEPTION 'woo.recompute_customer_metrics: store_id must not be NULL' USING ERRCODE = '22004';
    END IF;
    IF store_id IS DISTINCT FROM woo.current_store() THEN
        RAISE EXCEPTION 'store_id % is not the store bound to this transaction', store_id USING ERRCODE = '42501';
    END IF;
    -- Only rows whose values differ are rewritten; rows are locked in id order.
    -- Given customers are reached by primary key, whatever the statistics say.
    IF customer_ids IS NULL THEN
        -- The whole store: woo.expected_customer_metrics(store) written out in the
        -- UPDATE, so the planner joins it (a function scan would be materialised
        -- and probed row by row).
        excluded := woo.excluded_statuses(recompute_customer_metrics.store_id);
        UPDATE public.customers c
           SET total_spent = e.total_spent, order_count = e.order_count,
               first_order_date = e.first_order_date, last_order_date = e.last_order_date
          FROM (SELECT c2.id, least(greatest(coalesce(m.spent, 0), -9999999999.99), 9999999999.99)::numeric(12,2) AS total_spent, coalesce(m.n, 0)::integer AS order_count,
                       m.first AS first_order_date, m.last AS last_order_date
                  FROM public.customers c2
                  LEFT JOIN (SELECT o.customer_id, sum(o.total - o.refunded_total) AS spent, count(*) AS n,
                                    min(o.date_created) AS first, max(o.date_created) AS last
                               FROM public.orders o
                              WHERE o.store_id = recompute_customer_metrics.store_id
                                AND o.customer_id IS NOT NULL
                                AND o.status <> ALL (excluded)
                              GROUP BY o.customer_id) m ON m.customer_id = c2.id
                 WHERE c2.store_id = recompute_customer_metrics.store_id) e
         WHERE c.id = e.id AND c.store_id = recompute_customer_metrics.store_id
           AND (c.total_spent, c.order_count, c.first_order_date, c.last_order_date)
               IS DISTINCT FROM (e.total_spent, e.order_count, e.first_order_date, e.last_order_date);
    ELSE
        -- Lock first, compute after, in two statements: the UPDATE's snapshot is then
        -- taken once any concurrent writer of these customers has committed, so it
        -- counts that writer's orders too (a single UPDATE ... FROM would compute
        -- from an older snapshot while it waits for the row lock, and write that).
        -- NO KEY UPDATE does not conflict with the KEY SHARE of orders' foreign keys.
        PERFORM 1 FROM public.customers c
          WHERE c.id = ANY (customer_ids) AND c.store_id = recompute_customer_metrics.store_id
          ORDER BY c.id FOR NO KEY UPDATE;
        UPDATE public.customers c
           SET total_spent = e.total_spent, order_count = e.order_count,
               first_order_date = e.first_order_date, last_order_date = e.last_order_date
          FROM woo.expected_customer_metrics(recompute_customer_metrics.store_id, customer_ids) e
         WHERE c.id = ANY (customer_ids) AND c.id = e.customer_id
           AND c.store_id = recompute_customer_metrics.store_id
           AND (c.total_spent, c.order_count, c.first_order_date, c.last_order_date)
               IS DISTINCT FROM (e.total_spent, e.order_count, e.first_order_date, e.last_order_date);
    END IF;
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed;
END $$;
COMMENT ON FUNCTION woo.recompute_customer_metrics(uuid, uuid[]) IS
    'Recomputes total_spent, order_count, first/last_order_date of the given customers (all when NULL); returns rows changed';

CREATE FUNCTION woo.customer_metrics_drift(store_id uuid)
    RETURNS TABLE (customer_id uuid, column_name text, stored text, expected text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN QUERY
    SELECT c.id, d.column_name, d.stored, d.expected
      FROM public.customers c
      JOIN woo.expected_customer_metrics(customer_metrics_drift.store_id) e ON e.customer_id = c.id
     CROSS JOIN LATERAL (VALUES
            ('total_spent', c.total_spent::text, e.total_spent::text),
            ('order_count', c.order_count::text, e.order_count::text),
            ('first_order_date', c.first_order_date::text, e.first_order_date::text),
            ('last_order_date', c.last_order_date::text, e.last_order_date::text)) AS d(column_name, stored, expected)
     WHERE c.store_id = customer_metrics_drift.store_id AND d.stored IS DISTINCT FROM d.expected
     ORDER BY c.id, d.column_name;
END $$;
COMMENT ON FUNCTION woo.customer_metrics_drift(uuid) IS
    'Customer metric values that differ from what the orders say (empty when all is right)';

REVOKE ALL ON FUNCTION woo.excluded_statuses(uuid), woo.expected_customer_metrics(uuid, uuid[]),
                       woo.recompute_customer_metrics(uuid, uuid[]), woo.customer_metrics_drift(uuid) FROM PUBLIC;

-- ==== issue 12: stores, API keys, saved charts, conversations, store lifecycle ====

-- Stores and API keys (1.5) -------------------------------------------------------------

CREATE FUNCTION woo.normalize_store_url(url text) RETURNS text
    AS 'MODULE_PATHNAME', 'woo_normalize_store_url'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION woo.normalize_store_url(text) IS
    'The one spelling of a store URL (http/https, lower-case scheme and host, no default port, no trailing slash); 22023 for credentials, a query, a fragment or another scheme';

-- Internal: a new bcrypt "$2b$" hash of an API key at woo.bcrypt_cost (random salt:
-- VOLATILE). `field` names the argument in the length error (32 to 72 bytes).
CREATE FUNCTION woo._hash_api_key(key text, field text) RETURNS text
    AS 'MODULE_PATHNAME', 'woo_hash_api_key'
    LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION woo._hash_api_key(text, text) IS
    'Internal: bcrypt ($2b$, libxcrypt) hash of an API key of 32 to 72 bytes at woo.bcrypt_cost';

-- Internal: one bcrypt computation whatever the inputs (a NULL or non-bcrypt hash is
-- replaced by a dummy one), constant-time comparison. Not STRICT on purpose.
CREATE FUNCTION woo._api_key_matches(key text, hash text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'woo_api_key_matches'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION woo._api_key_matches(text, text) IS
    'Internal: true when key matches the bcrypt hash; hashes against a dummy when there is none (same cost)';

-- The settings the extension reads, checked: timezone (an IANA name PostgreSQL
-- knows) and excluded_statuses (an array of order statuses). A JSON null value
-- means "remove the key" (woo.configure_store). Any other key is refused.
CREATE FUNCTION woo._check_store_settings(settings jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    k text;
    v jsonb;
BEGIN
    IF settings IS NULL OR jsonb_typeof(settings) <> 'object' THEN
        RAISE EXCEPTION 'settings: must be a JSON object' USING ERRCODE = '22023';
    END IF;
    FOR k, v IN SELECT e.key, e.value FROM jsonb_each(settings) e LOOP
        CONTINUE WHEN jsonb_typeof(v) = 'null';
        IF k = 'timezone' THEN
            IF jsonb_typeof(v) <> 'string' THEN
                RAISE EXCEPTION 'settings.timezone: must be a string (an IANA time zone name), not %', jsonb_typeof(v)
                    USING ERRCODE = '22023';
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names z WHERE z.name = v #>> '{}') THEN
                RAISE EXCEPTION 'settings.timezone: "%" is not a time zone name PostgreSQL knows', woo.redact_emails(left(v #>> '{}', 64))
                    USING ERRCODE = '22023', HINT = 'An IANA name such as Europe/Berlin or UTC (see pg_timezone_names).';
            END IF;
        ELSIF k = 'excluded_statuses' THEN
            IF jsonb_typeof(v) <> 'array' THEN
                RAISE EXCEPTION 'settings.excluded_statuses: must be an array of order statuses, not %', jsonb_typeof(v)
                    USING ERRCODE = '22023';
            END IF;
            IF EXISTS (SELECT 1 FROM jsonb_array_elements(v) x
                        WHERE jsonb_typeof(x) <> 'string' OR length(x #>> '{}') NOT BETWEEN 1 AND 50) THEN
                RAISE EXCEPTION 'settings.excluded_statuses: every element must be an order status (a string of 1 to 50 characters)'
                    USING ERRCODE = '22023';
            END IF;
        ELSE
            RAISE EXCEPTION 'settings: unknown key "%"', woo.redact_emails(left(k, 64))
                USING ERRCODE = '22023', HINT = 'The settings the extension reads: timezone, excluded_statuses.';
        END IF;
    END LOOP;
    RETURN settings;
END $$;
COMMENT ON FUNCTION woo._check_store_settings(jsonb) IS
    'Internal: checks store settings (timezone: IANA name; excluded_statuses: array of strings; nothing else); returns them';

-- The one write with no store bound yet: SECURITY DEFINER (the onboarding role has
-- no privilege on stores, so this validating function is its only way in; RLS would
-- also hide the other stores' URLs that UNIQUE (store_url) is checked against).
CREATE FUNCTION woo.register_store(store_url text, api_key text, wc_version text DEFAULT NULL,
                                   plan text DEFAULT 'free', settings jsonb DEFAULT '{}') RETURNS uuid
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    url text;
    new_id uuid := gen_random_uuid();
BEGIN
    IF store_url IS NULL OR api_key IS NULL THEN
        RAISE EXCEPTION 'woo.register_store: store_url and api_key are required' USING ERRCODE = '22004';
    END IF;
    url := woo.normalize_store_url(store_url);
    IF plan IS NULL OR plan NOT IN ('free', 'starter', 'pro', 'agency') THEN
        RAISE EXCEPTION 'woo.register_store: plan "%" is not one of free, starter, pro, agency', woo.redact_emails(left(coalesce(plan, 'NULL'), 40))
            USING ERRCODE = '22023';
    END IF;
    IF length(wc_version) > 20 THEN
        RAISE EXCEPTION 'woo.register_store: wc_version must be at most 20 characters' USING ERRCODE = '22001';
    END IF;
    settings := jsonb_strip_nulls(woo._check_store_settings(coalesce(settings, '{}')));
    IF EXISTS (SELECT 1 FROM public.stores s WHERE s.store_url = url) THEN
        RAISE EXCEPTION 'woo.register_store: a store is already registered for %', url USING ERRCODE = '23505';
    END IF;
    BEGIN
        INSERT INTO public.stores (id, store_url, api_key_hash, wc_version, plan, settings)
        VALUES (new_id, url, woo._hash_api_key(api_key, 'api_key'), wc_version, plan, settings);
    EXCEPTION WHEN unique_violation THEN
        -- Registered by a concurrent call since the check above.
        RAISE EXCEPTION 'woo.register_store: a store is already registered for %', url USING ERRCODE = '23505';
    END;
    RETURN new_id;
END $$;
COMMENT ON FUNCTION woo.register_store(text, text, text, text, jsonb) IS
    'Registers a store (normalised URL, bcrypt-hashed API key, plan, checked settings); returns its id (woo_onboarding)';

-- Authentication, before any store is bound: SECURITY DEFINER (it reads
-- api_key_hash of a store the caller cannot see yet). Exactly one bcrypt whatever
-- happens, so an unknown URL, a wrong key and an inactive store all answer NULL
-- in comparable time.
CREATE FUNCTION woo.verify_store_key(store_url text, api_key text) RETURNS uuid
    LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    url text := woo.normalize_store_url(store_url);
    found_id uuid;
    found_hash text;
    active boolean := false;
    matched boolean;
BEGIN
    SELECT s.id, s.api_key_hash, s.is_active IS TRUE INTO found_id, found_hash, active
      FROM public.stores s WHERE s.store_url = url;
    -- Computed on its own, before anything else is looked at.
    matched := woo._api_key_matches(api_key, found_hash);
    IF matched AND active THEN
        RETURN found_id;
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION woo.verify_store_key(text, text) IS
    'The store id when api_key is the active store''s key, else NULL (same shape and comparable time for unknown URL, wrong key, inactive store); one bcrypt per call';

CREATE FUNCTION woo.rotate_store_key(store_id uuid, new_key text) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    h text;
BEGIN
    IF store_id IS NULL OR new_key IS NULL THEN
        RAISE EXCEPTION 'woo.rotate_store_key: store_id and new_key are required' USING ERRCODE = '22004';
    END IF;
    IF store_id IS DISTINCT FROM woo.current_store() THEN
        RAISE EXCEPTION 'store_id % is not the store bound to this transaction', store_id USING ERRCODE = '42501';
    END IF;
    h := woo._hash_api_key(new_key, 'new_key');
    UPDATE public.stores s SET api_key_hash = h WHERE s.id = rotate_store_key.store_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'woo.rotate_store_key: no store %', store_id USING ERRCODE = 'P0002';
    END IF;
END $$;
COMMENT ON FUNCTION woo.rotate_store_key(uuid, text) IS
    'Replaces the bound store''s API key hash with a bcrypt hash of new_key (32 to 72 bytes)';

CREATE FUNCTION woo.configure_store(store_id uuid, settings jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    merged jsonb;
BEGIN
    IF store_id IS NULL OR settings IS NULL THEN
        RAISE EXCEPTION 'woo.configure_store: store_id and settings are required' USING ERRCODE = '22004';
    END IF;
    IF store_id IS DISTINCT FROM woo.current_store() THEN
        RAISE EXCEPTION 'store_id % is not the store bound to this transaction', store_id USING ERRCODE = '42501';
    END IF;
    PERFORM woo._check_store_settings(settings);
    UPDATE public.stores s SET settings = jsonb_strip_nulls(coalesce(s.settings, '{}') || configure_store.settings)
     WHERE s.id = configure_store.store_id
    RETURNING s.settings INTO merged;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'woo.configure_store: no store %', store_id USING ERRCODE = 'P0002';
    END IF;
    -- Keys stored before (by hand) must pass too: what the extension reads is valid.
    PERFORM woo._check_store_settings(merged);
    RETURN merged;
END $$;
COMMENT ON FUNCTION woo.configure_store(uuid, jsonb) IS
    'Merges settings into the bound store''s (a null value removes a key), checks them (timezone, excluded_statuses), returns the result';

CREATE FUNCTION woo.deactivate_store(store_id uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF store_id IS NULL THEN
        RAISE EXCEPTION 'woo.deactivate_store: store_id is required' USING ERRCODE = '22004';
    END IF;
    IF store_id IS DISTINCT FROM woo.current_store() THEN
        RAISE EXCEPTION 'store_id % is not the store bound to this transaction', store_id USING ERRCODE = '42501';
    END IF;
    UPDATE public.stores s SET is_active = false WHERE s.id = deactivate_store.store_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'woo.deactivate_store: no store %', store_id USING ERRCODE = 'P0002';
    END IF;
END $$;
COMMENT ON FUNCTION woo.deactivate_store(uuid) IS
    'is_active = false: ingestion and webhooks for the store are refused (55000), its key no longer verifies, reads keep working';

-- Owner only, SECURITY DEFINER: it deletes across every table and drops roles
-- (the AI logins pinned to the store), which no tenant-bound role may do.
CREATE FUNCTION woo.purge_store(store_id uuid) RETURNS TABLE (table_name text, rows_deleted bigint)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    t text;
    n bigint;
    login name;
BEGIN
    IF purge_store.store_id IS NULL THEN
        RAISE EXCEPTION 'woo.purge_store: store_id is required' USING ERRCODE = '22004';
    END IF;
    -- Locked first: a concurrent write of this store waits, then fails its foreign key.
    PERFORM 1 FROM public.stores s WHERE s.id = purge_store.store_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'woo.purge_store: no store %', purge_store.store_id USING ERRCODE = 'P0002';
    END IF;
    -- Referencing tables before the ones they reference; the rollup after the rows it sums.
    FOREACH t IN ARRAY ARRAY['woo.load_checkpoints', 'woo.ingest_rejects', 'public.refunds', 'public.order_items', 'public.orders',
                             'public.sales_daily', 'public.customers', 'public.products', 'public.categories', 'public.coupons',
                             'public.saved_charts', 'public.conversations', 'public.sync_logs'] LOOP
        EXECUTE format('DELETE FROM %s WHERE store_id = $1', t) USING purge_store.store_id;
        GET DIAGNOSTICS n = ROW_COUNT;
        table_name := t; rows_deleted := n;
        RETURN NEXT;
    END LOOP;
    DELETE FROM public.stores s WHERE s.id = purge_store.store_id;
    table_name := 'public.stores'; rows_deleted := 1;
    RETURN NEXT;
    n := 0;
    FOR login IN
        SELECT r.rolname FROM pg_catalog.pg_db_role_setting d JOIN pg_catalog.pg_roles r ON r.oid = d.setrole
         WHERE d.setdatabase = 0 AND NOT r.rolsuper
           AND ('woo.store_id=' || purge_store.store_id::text) = ANY (d.setconfig)
           AND pg_catalog.pg_has_role(r.oid, 'woo_ai', 'MEMBER')
         ORDER BY r.rolname
    LOOP
        EXECUTE format('DROP ROLE %I', login);
        n := n + 1;
    END LOOP;
    table_name := 'AI logins (roles dropped)'; rows_deleted := n;
    RETURN NEXT;
END $$;
COMMENT ON FUNCTION woo.purge_store(uuid) IS
    'Deletes every row of a store in every table and drops the AI logins pinned to it, in one transaction; returns rows per table (woo_owner)';

CREATE FUNCTION woo.forget_customer(store_id uuid, email text)
    RETURNS TABLE (customers_erased integer, rejects_deleted integer, customer_ids uuid[], conversations_scrubbed integer)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    h text := woo.hash_email(email);
    g text := woo.hash_email(email, true);
    ids uuid[];
    wc integer[];
    n integer;
BEGIN
    IF forget_customer.store_id IS NULL OR email IS NULL THEN
        RAISE EXCEPTION 'woo.forget_customer: store_id and email are required' USING ERRCODE = '22004';
    END IF;
    IF forget_customer.store_id IS DISTINCT FROM woo.current_store() THEN
        RAISE EXCEPTION 'store_id % is not the store bound to this transaction', forget_customer.store_id USING ERRCODE = '42501';
    END IF;
    IF h IS NULL THEN
        RAISE EXCEPTION 'woo.forget_customer: email is empty' USING ERRCODE = '22023';
    END IF;
    SELECT array_agg(c.id ORDER BY c.id), array_agg(c.wc_customer_id) FILTER (WHERE c.wc_customer_id IS NOT NULL)
      INTO ids, wc
      FROM public.customers c
     WHERE c.store_id = forget_customer.store_id AND c.email_hash IN (h, g);
    -- A registered customer loses its hash; a guest (identified only by it, see
    -- guest_customers) gets a random one in its place. Names go; the payload hash
    -- goes too, so the store sending the customer again is applied, not skipped.
    UPDATE public.customers c
       SET email_hash = CASE WHEN c.wc_customer_id IS NULL
                             THEN encode(sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'hex') END,
           display_name = NULL,
           payload_hash = NULL
     WHERE c.store_id = forget_customer.store_id AND c.id = ANY (ids);
    DELETE FROM woo.ingest_rejects r
     WHERE r.store_id = forget_customer.store_id
       AND (strpos(r.payload::text, h) > 0 OR strpos(r.payload::text, g) > 0
            OR (r.resource = 'customers' AND r.wc_id = ANY (wc)));
    GET DIAGNOSTICS n = ROW_COUNT;
    customers_erased := coalesce(cardinality(ids), 0);
    rejects_deleted := n;
    -- Chat stores an address as sha256:<its hash> (woo.redact_emails): the same
    -- hash goes from the store's conversations.
    UPDATE public.conversations cv
       SET messages = replace(replace(cv.messages::text, 'sha256:' || h, 'sha256:erased'), 'sha256:' || g, 'sha256:erased')::jsonb
     WHERE cv.store_id = forget_customer.store_id
       AND (strpos(cv.messages::text, 'sha256:' || h) > 0 OR strpos(cv.messages::text, 'sha256:' || g) > 0);
    GET DIAGNOSTICS n = ROW_COUNT;
    conversations_scrubbed := n;
    customer_ids := coalesce(ids, '{}');
    RETURN NEXT;
END $$;
COMMENT ON FUNCTION woo.forget_customer(uuid, text) IS
    'GDPR erasure in the bound store: customers with the address''s hash (plain or Gmail-canonical) lose hash and name, their rejects are deleted, the hash is erased from conversations, orders stay';

-- Saved charts (1.5) -----------------------------------------------------------------------

CREATE FUNCTION woo.check_ai_query(sql text) RETURNS void
    AS 'MODULE_PATHNAME', 'woo_check_ai_query'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION woo.check_ai_query(text) IS
    'Refuses what woo.ai_query would refuse (same checks, same errors) without running it; needs a bound store';

CREATE FUNCTION woo._check_chart_config(config jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'woo_check_chart_config'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION woo._check_chart_config(jsonb) IS
    'Internal: checks a chart_config (declarative options only, at most 4096 bytes); returns it';

CREATE FUNCTION woo._check_chart_fields(title text, query_text text, chart_config jsonb) RETURNS void
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF title IS NOT NULL AND btrim(title) = '' THEN
        RAISE EXCEPTION 'title: must not be empty' USING ERRCODE = '22023';
    END IF;
    IF length(title) > 255 THEN
        RAISE EXCEPTION 'title: must be at most 255 characters, not %', length(title) USING ERRCODE = '22001';
    END IF;
    -- Saved as written: an e-mail address would be stored in clear (the rule of the seed).
    IF woo.redact_emails(title) <> title THEN
        RAISE EXCEPTION 'title: must not contain an e-mail address (it would be stored in clear)' USING ERRCODE = '22023';
    END IF;
    IF query_text IS NOT NULL THEN
        PERFORM woo.check_ai_query(query_text);
        IF woo.redact_emails(query_text) <> query_text THEN
            RAISE EXCEPTION 'query_text: must not contain an e-mail address (it would be stored in clear)' USING ERRCODE = '22023';
        END IF;
    END IF;
    IF chart_config IS NOT NULL THEN
        PERFORM woo._check_chart_config(chart_config);
    END IF;
END $$;
COMMENT ON FUNCTION woo._check_chart_fields(text, text, jsonb) IS
    'Internal: checks the given (non-NULL) fields of a saved chart';

CREATE FUNCTION woo.save_chart(store_id uuid, title text, query_text text, chart_config jsonb,
                               position_index integer DEFAULT NULL) RETURNS uuid
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n integer;
    pos integer;
    new_id uuid := gen_random_uuid();
BEGIN
    IF save_chart.store_id IS NULL OR save_chart.title IS NULL OR save_chart.query_text IS NULL OR save_chart.chart_config IS NULL THEN
        RAISE EXCEPTION 'woo.save_chart: store_id, title, query_text and chart_config are required' USING ERRCODE = '22004';
    END IF;
    IF save_chart.store_id IS DISTINCT FROM woo.current_store() THEN
        RAISE EXCEPTION 'store_id % is not the store bound to this transaction', save_chart.store_id USING ERRCODE = '42501';
    END IF;
    PERFORM woo._check_chart_fields(save_chart.title, save_chart.query_text, save_chart.chart_config);
    -- The store's row lock serialises position changes of its charts.
    PERFORM 1 FROM public.stores s WHERE s.id = save_chart.store_id FOR NO KEY UPDATE;
    SELECT count(c.position_index) INTO n FROM public.saved_charts c WHERE c.store_id = save_chart.store_id;
    pos := coalesce(save_chart.position_index, n);
    IF pos < 0 OR pos > n THEN
        RAISE EXCEPTION 'position_index: must be between 0 and % (the store has % charts), not %', n, n, pos USING ERRCODE = '22023';
    END IF;
    UPDATE public.saved_charts c SET position_index = c.position_index + 1
     WHERE c.store_id = save_chart.store_id AND c.position_index >= pos;
    INSERT INTO public.saved_charts (id, store_id, title, query_text, chart_config, position_index)
    VALUES (new_id, save_chart.store_id, save_chart.title, save_chart.query_text, save_chart.chart_config, pos);
    RETURN new_id;
END $$;
COMMENT ON FUNCTION woo.save_chart(uuid, text, text, jsonb, integer) IS
    'Saves a chart of the bound store: query_text passes woo.ai_query''s gate, chart_config is checked; inserted at position_index (default: last), the rest shift';

CREATE FUNCTION woo.update_chart(chart_id uuid, title text DEFAULT NULL, query_text text DEFAULT NULL,
                                 chart_config jsonb DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF chart_id IS NULL THEN
        RAISE EXCEPTION 'woo.update_chart: chart_id is required' USING ERRCODE = '22004';
    END IF;
    PERFORM woo._check_chart_fields(update_chart.title, update_chart.query_text, update_chart.chart_config);
    UPDATE public.saved_charts c
       SET title = coalesce(update_chart.title, c.title),
           query_text = coalesce(update_chart.query_text, c.query_text),
           chart_config = coalesce(update_chart.chart_config, c.chart_config),
           updated_at = now()
     WHERE c.id = chart_id AND c.store_id = woo.current_store();
    IF NOT FOUND THEN
        RAISE EXCEPTION 'woo.update_chart: no chart % in the bound store', chart_id USING ERRCODE = 'P0002';
    END IF;
END $$;
COMMENT ON FUNCTION woo.update_chart(uuid, text, text, jsonb) IS
    'Changes the given fields of a chart of the bound store (NULL keeps a field), with save_chart''s checks; updated_at = now()';

CREATE FUNCTION woo.run_chart(chart_id uuid, max_rows integer DEFAULT 1000) RETURNS SETOF jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    q text;
BEGIN
    IF chart_id IS NULL OR max_rows IS NULL THEN
        RAISE EXCEPTION 'woo.run_chart: chart_id and max_rows are required' USING ERRCODE = '22004';
    END IF;
    SELECT c.query_text INTO q FROM public.saved_charts c WHERE c.id = chart_id AND c.store_id = woo.current_store();
    IF NOT FOUND THEN
        RAISE EXCEPTION 'woo.run_chart: no chart % in the bound store', chart_id USING ERRCODE = 'P0002';
    END IF;
    IF q IS NULL THEN
        RAISE EXCEPTION 'woo.run_chart: chart % has no query_text', chart_id USING ERRCODE = '22004';
    END IF;
    RETURN QUERY SELECT * FROM woo.ai_query(q, max_rows);
END $$;
COMMENT ON FUNCTION woo.run_chart(uuid, integer) IS
    'Runs a saved chart''s query through woo.ai_query under the bound store (a chart of another store is not found)';

CREATE FUNCTION woo.delete_chart(chart_id uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    store uuid := woo.current_store();
    pos integer;
BEGIN
    IF chart_id IS NULL THEN
        RAISE EXCEPTION 'woo.delete_chart: chart_id is required' USING ERRCODE = '22004';
    END IF;
    PERFORM 1 FROM public.stores s WHERE s.id = store FOR NO KEY UPDATE;
    DELETE FROM public.saved_charts c WHERE c.id = chart_id AND c.store_id = store RETURNING c.position_index INTO pos;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'woo.delete_chart: no chart % in the bound store', chart_id USING ERRCODE = 'P0002';
    END IF;
    UPDATE public.saved_charts c SET position_index = c.position_index - 1
     WHERE c.store_id = store AND c.position_index > pos;
END $$;
COMMENT ON FUNCTION woo.delete_chart(uuid) IS
    'Deletes a chart of the bound store; the charts after it move up one position';

CREATE FUNCTION woo.move_chart(chart_id uuid, position_index integer) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    store uuid := woo.current_store();
    old integer;
    n integer;
    pos integer := move_chart.position_index;
BEGIN
    IF chart_id IS NULL OR pos IS NULL THEN
        RAISE EXCEPTION 'woo.move_chart: chart_id and position_index are required' USING ERRCODE = '22004';
    END IF;
    PERFORM 1 FROM public.stores s WHERE s.id = store FOR NO KEY UPDATE;
    SELECT c.position_index INTO old FROM public.saved_charts c WHERE c.id = chart_id AND c.store_id = store;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'woo.move_chart: no chart % in the bound store', chart_id USING ERRCODE = 'P0002';
    END IF;
    SELECT count(c.position_index) INTO n FROM public.saved_charts c WHERE c.store_id = store;
    IF old IS NULL THEN  -- a chart written without a position (by hand) joins at the end first
        old := n;
        n := n + 1;
    END IF;
    IF pos < 0 OR pos >= n THEN
        RAISE EXCEPTION 'position_index: must be between 0 and % (the store has % charts), not %', n - 1, n, pos USING ERRCODE = '22023';
    END IF;
    UPDATE public.saved_charts c
       SET position_index = CASE WHEN c.id = chart_id THEN pos
                                 WHEN pos < old THEN c.position_index + 1
                                 ELSE c.position_index - 1 END,
           updated_at = CASE WHEN c.id = chart_id THEN now() ELSE c.updated_at END
     WHERE c.store_id = store
       AND (c.id = chart_id OR c.position_index BETWEEN least(old, pos) AND greatest(old, pos));
END $$;
COMMENT ON FUNCTION woo.move_chart(uuid, integer) IS
    'Moves a chart of the bound store to position_index (0-based); the charts in between shift by one';

-- Conversations (1.5) ----------------------------------------------------------------------

CREATE FUNCTION woo.redact_emails(content text) RETURNS text
    AS 'MODULE_PATHNAME', 'woo_redact_emails'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION woo.redact_emails(text) IS
    'Replaces every e-mail-looking word by sha256:<woo.hash_email of it> (what conversations store)';

CREATE FUNCTION woo._redact_emails_jsonb(doc jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    -- Every string of the document (keys included), each through woo.redact_emails.
    RETURN CASE jsonb_typeof(doc)
        WHEN 'string' THEN to_jsonb(woo.redact_emails(doc #>> '{}'))
        WHEN 'object' THEN (SELECT coalesce(jsonb_object_agg(woo.redact_emails(e.key), woo._redact_emails_jsonb(e.value)), '{}')
                              FROM jsonb_each(doc) e)
        WHEN 'array' THEN (SELECT coalesce(jsonb_agg(woo._redact_emails_jsonb(a.value) ORDER BY a.i), '[]')
                             FROM jsonb_array_elements(doc) WITH ORDINALITY a(value, i))
        ELSE doc END;
END $$;
COMMENT ON FUNCTION woo._redact_emails_jsonb(jsonb) IS
    'Internal: woo.redact_emails applied to every string (and key) of a JSON document';

CREATE FUNCTION woo.start_conversation(store_id uuid) RETURNS uuid
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id uuid := gen_random_uuid();
BEGIN
    IF store_id IS NULL THEN
        RAISE EXCEPTION 'woo.start_conversation: store_id is required' USING ERRCODE = '22004';
    END IF;
    IF store_id IS DISTINCT FROM woo.current_store() THEN
        RAISE EXCEPTION 'store_id % is not the store bound to this transaction', store_id USING ERRCODE = '42501';
    END IF;
    INSERT INTO public.conversations (id, store_id) VALUES (new_id, start_conversation.store_id);
    RETURN new_id;
END $$;
COMMENT ON FUNCTION woo.start_conversation(uuid) IS 'Opens an empty conversation of the bound store; returns its id';

CREATE FUNCTION woo.append_message(conversation_id uuid, role text, content text, meta jsonb DEFAULT NULL) RETURNS integer
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    max_messages integer := current_setting('woo.conversation_max_messages')::integer;
    max_bytes integer := current_setting('woo.message_max_bytes')::integer;
    store uuid := woo.current_store();
    msg jsonb;
    stored_content text;
    stored_meta jsonb;
    n integer;
BEGIN
    IF conversation_id IS NULL OR role IS NULL OR content IS NULL THEN
        RAISE EXCEPTION 'woo.append_message: conversation_id, role and content are required' USING ERRCODE = '22004';
    END IF;
    IF role NOT IN ('user', 'assistant', 'system', 'tool') THEN
        RAISE EXCEPTION 'role: "%" is not one of user, assistant, system, tool', woo.redact_emails(left(role, 40)) USING ERRCODE = '22023';
    END IF;
    IF octet_length(content) > max_bytes THEN
        RAISE EXCEPTION 'content: % bytes, more than woo.message_max_bytes (%)', octet_length(content), max_bytes USING ERRCODE = '54000';
    END IF;
    IF meta IS NOT NULL AND jsonb_typeof(meta) <> 'object' THEN
        RAISE EXCEPTION 'meta: must be a JSON object, not %', jsonb_typeof(meta) USING ERRCODE = '22023';
    END IF;
    IF octet_length(meta::text) > max_bytes THEN
        RAISE EXCEPTION 'meta: % bytes, more than woo.message_max_bytes (%)', octet_length(meta::text), max_bytes USING ERRCODE = '54000';
    END IF;
    -- The cap bounds what is stored: hashing an address (sha256:<64 hex>) may grow a message.
    stored_content := woo.redact_emails(content);
    IF octet_length(stored_content) > max_bytes THEN
        RAISE EXCEPTION 'content: % bytes with its e-mail addresses hashed, more than woo.message_max_bytes (%)',
            octet_length(stored_content), max_bytes USING ERRCODE = '54000';
    END IF;
    msg := jsonb_build_object('role', role, 'content', stored_content);
    IF meta IS NOT NULL THEN
        stored_meta := woo._redact_emails_jsonb(meta);
        IF octet_length(stored_meta::text) > max_bytes THEN
            RAISE EXCEPTION 'meta: % bytes with its e-mail addresses hashed, more than woo.message_max_bytes (%)',
                octet_length(stored_meta::text), max_bytes USING ERRCODE = '54000';
        END IF;
        msg := msg || jsonb_build_object('meta', stored_meta);
    END IF;
    -- One UPDATE: a concurrent append to the same conversation waits for the row
    -- lock, then appends to the array as that append left it ("at" and the count
    -- are computed after the wait).
    UPDATE public.conversations c
       SET messages = c.messages || jsonb_build_array(msg || jsonb_build_object('at',
                          to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))),
           updated_at = clock_timestamp()
     WHERE c.id = conversation_id AND c.store_id = store AND jsonb_array_length(c.messages) < max_messages
    RETURNING jsonb_array_length(c.messages) INTO n;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM public.conversations c WHERE c.id = conversation_id AND c.store_id = store) THEN
            RAISE EXCEPTION 'conversation % is full: woo.conversation_max_messages is %', conversation_id, max_messages
                USING ERRCODE = '54000';
        END IF;
        RAISE EXCEPTION 'woo.append_message: no conversation % in the bound store', conversation_id USING ERRCODE = 'P0002';
    END IF;
    RETURN n;
END $$;
COMMENT ON FUNCTION woo.append_message(uuid, text, text, jsonb) IS
    'Appends {"role","content","at"[,"meta"]} to a conversation of the bound store (e-mails stored as sha256:<hash>); returns the message count';

-- Incremental sync (1.5) -------------------------------------------------------------------

CREATE FUNCTION woo.sync_cursor(store_id uuid, resource text) RETURNS timestamptz
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    newest timestamptz;
BEGIN
    IF sync_cursor.store_id IS NULL OR resource IS NULL THEN
        RAISE EXCEPTION 'woo.sync_cursor: store_id and resource are required' USING ERRCODE = '22004';
    END IF;
    IF sync_cursor.store_id IS DISTINCT FROM woo.current_store() THEN
        RAISE EXCEPTION 'store_id % is not the store bound to this transaction', sync_cursor.store_id USING ERRCODE = '42501';
    END IF;
    -- Written as ORDER BY ... LIMIT 1 so that the plan is a backward probe of
    -- idx_orders_store_modified / idx_products_store_updated / idx_coupons_store_modified
    -- even without statistics.
    IF resource = 'orders' THEN
        SELECT o.date_modified INTO newest FROM public.orders o
         WHERE o.store_id = sync_cursor.store_id AND o.date_modified IS NOT NULL
         ORDER BY o.date_modified DESC LIMIT 1;
    ELSIF resource = 'products' THEN
        SELECT p.updated_at INTO newest FROM public.products p
         WHERE p.store_id = sync_cursor.store_id AND p.updated_at IS NOT NULL
         ORDER BY p.updated_at DESC LIMIT 1;
    ELSIF resource = 'coupons' THEN
        SELECT c.date_modified INTO newest FROM public.coupons c
         WHERE c.store_id = sync_cursor.store_id AND c.date_modified IS NOT NULL
         ORDER BY c.date_modified DESC LIMIT 1;
    ELSE
        RAISE EXCEPTION 'resource: "%" has no cursor (orders, products or coupons)', woo.redact_emails(left(resource, 40)) USING ERRCODE = '22023';
    END IF;
    -- The overlap: WooCommerce dates have whole seconds, a record saved in the
    -- same second as the newest one (or while the last sync ran, with an older
    -- date, or under a skewed clock) must not be missed; re-reading 5 minutes
    -- costs only "unchanged" upserts (payload hash).
    RETURN newest - interval '5 minutes';
END $$;
COMMENT ON FUNCTION woo.sync_cursor(uuid, text) IS
    'What to pass as WooCommerce modified_after for orders, products or coupons: the newest stored modification date minus 5 minutes; NULL when none';

REVOKE ALL ON FUNCTION woo.normalize_store_url(text), woo._hash_api_key(text, text), woo._api_key_matches(text, text),
                       woo._check_store_settings(jsonb), woo.register_store(text, text, text, text, jsonb),
                       woo.verify_store_key(text, text), woo.rotate_store_key(uuid, text), woo.configure_store(uuid, jsonb),
                       woo.deactivate_store(uuid), woo.purge_store(uuid), woo.forget_customer(uuid, text),
                       woo.check_ai_query(text), woo._check_chart_config(jsonb), woo._check_chart_fields(text, text, jsonb),
                       woo.save_chart(uuid, text, text, jsonb, integer), woo.update_chart(uuid, text, text, jsonb),
                       woo.run_chart(uuid, integer), woo.delete_chart(uuid), woo.move_chart(uuid, integer),
                       woo.redact_emails(text), woo._redact_emails_jsonb(jsonb), woo.start_conversation(uuid), woo.append_message(uuid, text, text, jsonb),
                       woo.sync_cursor(uuid, text) FROM PUBLIC;

-- ==== end issue 12 ====

-- ==== issue 9: woo.ai_query budgets ====
-- Model SQL under woo.ai_query (1.5) ------------------------------------------------

CREATE FUNCTION woo._checkpoint(value anyelement) RETURNS anyelement
    AS 'MODULE_PATHNAME', 'woo_checkpoint'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION woo._checkpoint(anyelement) IS
    'Internal: an interrupt check that returns its argument; woo.ai_query wraps the model''s operators and function calls in it';
REVOKE ALL ON FUNCTION woo._checkpoint(anyelement) FROM PUBLIC;
-- ==== end issue 9 ====

-- ==== issue 14: dated refunds, canonical sales metrics, day-level rollup, AI context ====
--
-- The tables (public.refunds, public.sales_daily), the triggers that call the
-- functions below and the canonical views are sqitch migrations (refunds,
-- sales_daily, extension_1_6): the extension owns functions only.
--
-- Definitions (after WooCommerce Analytics; README, "Sales analytics"). An order
-- counts when its status is not one of its store's excluded statuses
-- (woo.excluded_statuses). Its day is the store-local date of date_created (the
-- store's settings.timezone, UTC when unset). A refund counts when its order counts,
-- on the store-local date of the refund's own date_created.
--   gross_sales = total - tax_total - shipping_total + discount_total (a NULL amount is 0)
--   net_sales   = gross_sales - discounts - refunds

-- Refunds -------------------------------------------------------------------------------

-- Internal, called by woo.upsert_orders once per chunk: the refund rows of the
-- written orders become their payloads' refunds[] (order_ids[i] <-> refunds[i], a
-- JSON array or NULL). refunds[] carries no date: a new row is dated at the order's
-- date_modified (else date_created), date_exact false; a stored row keeps its date
-- (exact when a /refunds page gave it). An entry without a positive integer id is
-- keyed -(its position + 1). amount = -total (positive for WooCommerce's negative totals);
-- reason = "reason" (or "refund", as the REST documentation's examples name it).
CREATE FUNCTION woo._sync_order_refunds(store_id uuid, order_ids uuid[], refunds jsonb[]) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l_orders uuid[];
    l_keys integer[];
    l_amounts numeric[];
    l_reasons text[];
BEGIN
    SELECT array_agg(x.o ORDER BY x.o, x.wc), array_agg(x.wc ORDER BY x.o, x.wc), array_agg(x.amount ORDER BY x.o, x.wc),
           array_agg(x.reason ORDER BY x.o, x.wc)
      INTO l_orders, l_keys, l_amounts, l_reasons
      FROM (SELECT DISTINCT ON (u.o, e.wc) u.o, e.wc, e.amount, e.reason
              FROM unnest(order_ids, refunds) AS u(o, j)
             CROSS JOIN LATERAL (
                    SELECT CASE WHEN jsonb_typeof(v->'id') = 'number' AND (v->>'id') ~ '^[0-9]{1,9}$' AND (v->>'id')::integer > 0
                                THEN (v->>'id')::integer ELSE -i::integer END AS wc,
                           -(nullif(btrim(v->>'total'), ''))::numeric(12,2) AS amount,
                           woo.redact_emails(CASE WHEN jsonb_typeof(v->'reason') = 'string' THEN v->>'reason'
                                                  WHEN jsonb_typeof(v->'refund') = 'string' THEN v->>'refund' END) AS reason
                      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(u.j) = 'array' THEN u.j ELSE '[]' END) WITH ORDINALITY AS a(v, i)
                     WHERE jsonb_typeof(v) = 'object' AND nullif(btrim(v->>'total'), '') IS NOT NULL) e
             ORDER BY u.o, e.wc, e.amount) x;
    -- Rows no longer listed go. Each order's rows are found by one probe of the hash index
    -- on order_id (the store is checked after the probe: with store_id in the probe, a
    -- statistics-dependent plan may read the store's rows through a store_id index).
    DELETE FROM public.refunds r
     WHERE r.id = ANY (ARRAY(
            SELECT f.id FROM (SELECT DISTINCT u.o FROM unnest(order_ids) AS u(o)) k
             CROSS JOIN LATERAL (SELECT x.id, x.store_id, x.order_id, x.wc_refund_id FROM public.refunds x
                                  WHERE x.order_id = k.o OFFSET 0) f
             WHERE f.store_id = _sync_order_refunds.store_id
               AND NOT EXISTS (SELECT 1 FROM unnest(l_orders, l_keys) AS l(o, wc) WHERE l.o = f.order_id AND l.wc = f.wc_refund_id)));
    IF l_orders IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO public.refunds AS r (store_id, order_id, wc_refund_id, amount, reason, date_created, date_exact)
    SELECT _sync_order_refunds.store_id, l.o, l.wc, l.amount, l.reason, coalesce(o.date_modified, o.date_created), false
      FROM unnest(l_orders, l_keys, l_amounts, l_reasons) AS l(o, wc, amount, reason)
     CROSS JOIN LATERAL (SELECT x.store_id, x.date_modified, x.date_created FROM public.orders x WHERE x.id = l.o OFFSET 0) o
     WHERE o.store_id = _sync_order_refunds.store_id
     ORDER BY l.o, l.wc
    ON CONFLICT ON CONSTRAINT refunds_store_order_refund_key DO UPDATE
       SET amount = EXCLUDED.amount, reason = EXCLUDED.reason
     WHERE (r.amount, r.reason) IS DISTINCT FROM (EXCLUDED.amount, EXCLUDED.reason);
END $$;
COMMENT ON FUNCTION woo._sync_order_refunds(uuid, uuid[], jsonb[]) IS
    'Internal (woo.upsert_orders): the refund rows of the written orders from their refunds[]';

-- One /orders/<id>/refunds page (an array, or {"data": [...]}) or one refund (an
-- object): each refund is upserted by its id with its exact date (date_created_gmt,
-- else date_created in the store's time zone), its amount and reason (e-mail
-- addresses hashed); refunds not on the page are kept (pages are partial). Then
-- orders.refunded_total is the sum of the order's rows, and its customer's metrics follow.
-- Strict: the first bad refund fails the call, naming record and field (22xxx).
-- Lenient: a bad refund goes to woo.ingest_rejects (resource 'refunds') and the rest is applied.
CREATE FUNCTION woo.upsert_refunds(store_id uuid, wc_order_id integer, payload jsonb, strict boolean DEFAULT true)
    RETURNS woo.upsert_result
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    res woo.upsert_result := ROW(0, 0, 0, 0, 0, 0);
    st record;
    ord record;
    rec jsonb;
    i integer := -1;
    wc integer;
    amt numeric(12,2);
    dc timestamptz;
    rsn text;
    prev record;
    msg text;
    state text;
    refunded numeric(12,2);
BEGIN
    IF store_id IS NULL OR wc_order_id IS NULL OR payload IS NULL OR strict IS NULL THEN
        RAISE EXCEPTION 'woo.upsert_refunds: store_id, wc_order_id, payload and strict are required' USING ERRCODE = '22004';
    END IF;
    IF store_id IS DISTINCT FROM woo.current_store() THEN
        RAISE EXCEPTION 'store_id % is not the store bound to this transaction', store_id USING ERRCODE = '42501',
            HINT = 'Bind it first: SET LOCAL woo.store_id = ''<store uuid>''.';
    END IF;
    SELECT coalesce(s.settings->>'timezone', 'UTC') AS tz, s.is_active IS TRUE AS active INTO st
      FROM public.stores s WHERE s.id = upsert_refunds.store_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'store % does not exist', store_id USING ERRCODE = '23503';
    ELSIF NOT st.active THEN
        RAISE EXCEPTION 'store % is deactivated: ingestion and webhooks are refused', store_id USING ERRCODE = '55000',
            HINT = 'Its data stays readable; set stores.is_active = true to resume syncing.';
    END IF;
    IF jsonb_typeof(payload) = 'object' AND jsonb_typeof(payload->'data') = 'array' AND NOT payload ? 'id' THEN
        payload := payload->'data';  -- a page wrapped as {"data": [...]}
    END IF;
    IF jsonb_typeof(payload) NOT IN ('array', 'object') THEN
        RAISE EXCEPTION 'refunds: payload must be a JSON object or an array of objects, not a %', jsonb_typeof(payload)
            USING ERRCODE = '22023';
    END IF;
    SELECT o.id, o.customer_id INTO ord FROM public.orders o
     WHERE o.store_id = upsert_refunds.store_id AND o.wc_order_id = upsert_refunds.wc_order_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'refunds: order % is not stored in this store', wc_order_id USING ERRCODE = '23503',
            HINT = 'Upsert the order (woo.upsert_orders) before its refunds.';
    END IF;
    FOR rec IN SELECT v FROM jsonb_array_elements(CASE jsonb_typeof(payload) WHEN 'array' THEN payload
                                                   ELSE jsonb_build_array(payload) END) AS e(v) LOOP
        i := i + 1;
        wc := NULL;
        BEGIN
            IF jsonb_typeof(rec) <> 'object' THEN
                RAISE EXCEPTION 'refunds[%]: not a JSON object but a %', i, jsonb_typeof(rec) USING ERRCODE = '22023';
            END IF;
            IF coalesce(jsonb_typeof(rec->'id'), '') <> 'number' OR (rec->>'id') !~ '^[0-9]{1,10}$'
               OR (rec->>'id')::bigint NOT BETWEEN 1 AND 2147483647 THEN
                RAISE EXCEPTION 'refunds[%]: id must be a positive integer', i USING ERRCODE = '22023';
            END IF;
            wc := (rec->>'id')::integer;
            IF coalesce(jsonb_typeof(rec->'amount'), '') NOT IN ('string', 'number')
               OR btrim(rec->>'amount') !~ '^[-+]?[0-9]+(\.[0-9]+)?$' THEN
                RAISE EXCEPTION 'refunds[%] (id %): amount must be a decimal number, not %', i, wc,
                    coalesce(left(woo.redact_emails(rec->>'amount'), 40), 'missing') USING ERRCODE = '22023';
            END IF;
            BEGIN
                amt := abs(btrim(rec->>'amount')::numeric(12,2));
            EXCEPTION WHEN numeric_value_out_of_range THEN
                RAISE EXCEPTION 'refunds[%] (id %): amount % does not fit numeric(12,2)', i, wc, left(rec->>'amount', 40)
                    USING ERRCODE = '22003';
            END;
            IF jsonb_typeof(rec->'date_created_gmt') = 'string' THEN
                BEGIN
                    dc := ((rec->>'date_created_gmt')::timestamp) AT TIME ZONE 'UTC';
                EXCEPTION WHEN data_exception THEN
                    RAISE EXCEPTION 'refunds[%] (id %): date_created_gmt "%" is not a date', i, wc,
                        left(woo.redact_emails(rec->>'date_created_gmt'), 40) USING ERRCODE = '22007';
                END;
            ELSIF jsonb_typeof(rec->'date_created') = 'string' THEN
                BEGIN
                    dc := ((rec->>'date_created')::timestamp) AT TIME ZONE st.tz;
                EXCEPTION WHEN data_exception THEN
                    RAISE EXCEPTION 'refunds[%] (id %): date_created "%" is not a date', i, wc,
                        left(woo.redact_emails(rec->>'date_created'), 40) USING ERRCODE = '22007';
                END;
            ELSE
                RAISE EXCEPTION 'refunds[%] (id %): date_created_gmt is required', i, wc USING ERRCODE = '22023';
            END IF;
            IF rec ? 'reason' AND jsonb_typeof(rec->'reason') NOT IN ('string', 'null') THEN
                RAISE EXCEPTION 'refunds[%] (id %): reason must be a string', i, wc USING ERRCODE = '22023';
            END IF;
            rsn := woo.redact_emails(rec->>'reason');
        EXCEPTION WHEN data_exception THEN  -- bad input (class 22) only; anything else fails the call
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
            IF strict THEN
                RAISE EXCEPTION '%', msg USING ERRCODE = state;
            END IF;
            INSERT INTO woo.ingest_rejects (store_id, resource, wc_id, payload, error, sqlstate)
            VALUES (upsert_refunds.store_id, 'refunds', wc, woo._redact_emails_jsonb(rec), msg, state);
            res.rejected := res.rejected + 1;
            CONTINUE;
        END;
        SELECT r.amount, r.reason, r.date_created, r.date_exact INTO prev FROM public.refunds r
         WHERE r.store_id = upsert_refunds.store_id AND r.order_id = ord.id AND r.wc_refund_id = wc;
        IF NOT FOUND THEN
            INSERT INTO public.refunds (store_id, order_id, wc_refund_id, amount, reason, date_created, date_exact)
            VALUES (upsert_refunds.store_id, ord.id, wc, amt, rsn, dc, true);
            res.inserted := res.inserted + 1;
        ELSIF (prev.amount, prev.reason, prev.date_created, prev.date_exact) IS NOT DISTINCT FROM (amt, rsn, dc, true) THEN
            res.unchanged := res.unchanged + 1;
        ELSE
            UPDATE public.refunds r SET amount = amt, reason = rsn, date_created = dc, date_exact = true
             WHERE r.store_id = upsert_refunds.store_id AND r.order_id = ord.id AND r.wc_refund_id = wc;
            res.updated := res.updated + 1;
        END IF;
    END LOOP;
    IF res.inserted + res.updated > 0 THEN
        SELECT coalesce(sum(r.amount), 0) INTO refunded FROM public.refunds r
         WHERE r.store_id = upsert_refunds.store_id AND r.order_id = ord.id;
        -- payload_hash NULL: the order's next delivery is applied (its refunds[] then rules again).
        UPDATE public.orders o SET refunded_total = refunded, payload_hash = NULL
         WHERE o.store_id = upsert_refunds.store_id AND o.id = ord.id AND o.refunded_total IS DISTINCT FROM refunded;
        IF FOUND AND ord.customer_id IS NOT NULL THEN
            PERFORM woo.recompute_customer_metrics(upsert_refunds.store_id, ARRAY[ord.customer_id]);
        END IF;
    END IF;
    RETURN res;
END $$;
COMMENT ON FUNCTION woo.upsert_refunds(uuid, integer, jsonb, boolean) IS
    'Upserts the refunds of one order from a /orders/<id>/refunds page (or one refund) with their exact dates; refunded_total = their sum';

-- The day-level rollup (public.sales_daily) --------------------------------------------

-- The day rules of the given stores: the time zone that cuts their days and the
-- statuses that do not count (the rule of woo.excluded_statuses, written as one
-- expression so that this SQL function is inlined into the statements that call it:
-- no function call per trigger; pgTAP 102 compares the two).
CREATE FUNCTION woo._store_rules(store_ids uuid[]) RETURNS TABLE (store_id uuid, time_zone text, excluded text[])
    LANGUAGE sql STABLE
    AS $$
    SELECT s.id, coalesce(s.settings->>'timezone', 'UTC'),
           CASE WHEN jsonb_typeof(s.settings->'excluded_statuses') = 'array' AND jsonb_array_length(s.settings->'excluded_statuses') > 0
                THEN ARRAY(SELECT jsonb_array_elements_text(s.settings->'excluded_statuses'))
                ELSE ARRAY['pending', 'failed', 'cancelled', 'trash', 'checkout-draft'] END
      FROM public.stores s
     WHERE s.id = ANY (store_ids)
$$;
COMMENT ON FUNCTION woo._store_rules(uuid[]) IS
    'Internal: time zone and excluded statuses of the given stores';

-- The bound store's day rules, for the canonical views (woo_ai cannot read stores.settings).
CREATE FUNCTION woo.store_day_rules() RETURNS TABLE (time_zone text, excluded_statuses text[])
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN QUERY SELECT r.time_zone, r.excluded FROM woo._store_rules(ARRAY[woo.current_store()]) r;
END $$;
COMMENT ON FUNCTION woo.store_day_rules() IS
    'The bound store''s time zone (days are cut in it) and excluded statuses (not counted in sales)';

-- The rollup's trigger, in C (rollup.cpp): one function for the triggers on orders,
-- order_items and refunds (its argument names the table). Each firing turns the
-- rows it was given into signed per-(store, local day) deltas, reading orders, line
-- items and refunds by direct index probes (orders_pkey, order_items_order_id_hash,
-- refunds_order_id_hash: no plan, the same work at any size and whatever the
-- statistics say), and writes them with one INSERT ... ON CONFLICT; inside a write of
-- woo.upsert_orders, the deltas of its statements are gathered and written once by
-- woo._sales_daily_flush() at the end of the write.
CREATE FUNCTION woo._sales_daily_trigger() RETURNS trigger
    AS 'MODULE_PATHNAME', 'woo_sales_daily_trigger'
    LANGUAGE C VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION woo._sales_daily_trigger() IS
    'Internal trigger on public.orders, order_items and refunds (argument: the table): keeps public.sales_daily right in the writer''s transaction';

-- Writes and closes the deltas gathered during the current woo.upsert_orders write
-- (nothing when none are open). SECURITY DEFINER: public.sales_daily is read-only to
-- its callers. Called by woo.upsert_orders and by woo._rebuild_sales_daily.
CREATE FUNCTION woo._sales_daily_flush() RETURNS void
    AS 'MODULE_PATHNAME', 'woo_sales_daily_flush'
    LANGUAGE C VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION woo._sales_daily_flush() IS
    'Internal (woo.upsert_orders): writes the rollup deltas gathered during the current write';

-- The rollup as the raw tables say it is, for one store.
CREATE FUNCTION woo.expected_sales_daily(store_id uuid)
    RETURNS TABLE (day date, orders integer, items_sold numeric, gross_sales numeric, discounts numeric,
                   refunds numeric, taxes numeric, shipping numeric)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN QUERY
    WITH sr AS MATERIALIZED (SELECT * FROM woo._store_rules(ARRAY[expected_sales_daily.store_id])),
    o AS MATERIALIZED (
        SELECT o.id, (o.date_created AT TIME ZONE sr.time_zone)::date AS day, sr.time_zone,
               o.total - coalesce(o.tax_total, 0) - coalesce(o.shipping_total, 0) + coalesce(o.discount_total, 0) AS g,
               coalesce(o.discount_total, 0) AS di, coalesce(o.tax_total, 0) AS t, coalesce(o.shipping_total, 0) AS sh
          FROM public.orders o, sr
         WHERE o.store_id = expected_sales_daily.store_id AND o.status::text <> ALL (sr.excluded)),
    x AS (
        SELECT o.day, 1 AS n, 0::numeric AS i, o.g, o.di, 0::numeric AS r, o.t, o.sh FROM o
        UNION ALL
        SELECT o.day, 0, it.quantity, 0, 0, 0, 0, 0
          FROM o JOIN public.order_items it ON it.order_id = o.id AND it.store_id = expected_sales_daily.store_id
        UNION ALL
        SELECT (f.date_created AT TIME ZONE o.time_zone)::date, 0, 0, 0, 0, f.amount, 0, 0
          FROM o JOIN public.refunds f ON f.order_id = o.id AND f.store_id = expected_sales_daily.store_id)
    SELECT x.day, sum(x.n)::integer, sum(x.i), sum(x.g), sum(x.di), sum(x.r), sum(x.t), sum(x.sh)
      FROM x GROUP BY x.day;
END $$;
COMMENT ON FUNCTION woo.expected_sales_daily(uuid) IS
    'The day-level sales of a store as the raw tables say they are (what public.sales_daily must hold, summed over slots)';

-- What differs between the rollup and the raw tables; empty when all is right.
CREATE FUNCTION woo.analytics_drift(store_id uuid)
    RETURNS TABLE (day date, metric text, stored numeric, expected numeric)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF store_id IS NULL THEN
        RAISE EXCEPTION 'woo.analytics_drift: store_id is required' USING ERRCODE = '22004';
    END IF;
    IF store_id IS DISTINCT FROM woo.current_store() THEN
        RAISE EXCEPTION 'store_id % is not the store bound to this transaction', store_id USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    WITH s AS (SELECT t.day, sum(t.orders)::numeric AS orders, sum(t.items_sold) AS items_sold, sum(t.gross_sales) AS gross_sales,
                      sum(t.discounts) AS discounts, sum(t.refunds) AS refunds, sum(t.taxes) AS taxes, sum(t.shipping) AS shipping
                 FROM public.sales_daily t WHERE t.store_id = analytics_drift.store_id GROUP BY t.day),
    e AS (SELECT * FROM woo.expected_sales_daily(analytics_drift.store_id))
    SELECT coalesce(s.day, e.day), v.metric, v.a, v.b
      FROM s FULL JOIN e ON e.day = s.day
     CROSS JOIN LATERAL (VALUES ('orders', coalesce(s.orders, 0), coalesce(e.orders, 0)::numeric),
                                ('items_sold', coalesce(s.items_sold, 0), coalesce(e.items_sold, 0)),
                                ('gross_sales', coalesce(s.gross_sales, 0), coalesce(e.gross_sales, 0)),
                                ('discounts', coalesce(s.discounts, 0), coalesce(e.discounts, 0)),
                                ('refunds', coalesce(s.refunds, 0), coalesce(e.refunds, 0)),
                                ('taxes', coalesce(s.taxes, 0), coalesce(e.taxes, 0)),
                                ('shipping', coalesce(s.shipping, 0), coalesce(e.shipping, 0))) AS v(metric, a, b)
     WHERE v.a <> v.b
     ORDER BY 1, 2;
END $$;
COMMENT ON FUNCTION woo.analytics_drift(uuid) IS
    'Day-level rollup values (public.sales_daily) that differ from what the raw tables say; empty when all is right';

-- Rebuilds a store's rollup from the raw tables (internal: no binding check). The
-- exclusive side of the store's advisory lock waits for the writers in flight and
-- holds new ones back until this transaction ends. Deltas gathered by a
-- woo.upsert_orders write in progress are written first (they were computed with
-- the day rules this rebuild may replace; the rebuild then recomputes their days).
CREATE FUNCTION woo._rebuild_sales_daily(store_id uuid) RETURNS integer
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n integer;
BEGIN
    PERFORM woo._sales_daily_flush();
    PERFORM pg_advisory_xact_lock(hashtext('woo.sales_daily'), hashtext(store_id::text));
    DELETE FROM public.sales_daily t WHERE t.store_id = _rebuild_sales_daily.store_id;
    INSERT INTO public.sales_daily (store_id, day, slot, orders, items_sold, gross_sales, discounts, refunds, taxes, shipping)
    SELECT _rebuild_sales_daily.store_id, e.day, 0, e.orders, e.items_sold, e.gross_sales, e.discounts, e.refunds, e.taxes, e.shipping
      FROM woo.expected_sales_daily(_rebuild_sales_daily.store_id) e ORDER BY e.day;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
COMMENT ON FUNCTION woo._rebuild_sales_daily(uuid) IS 'Internal: rebuilds a store''s public.sales_daily rows from the raw tables';

CREATE FUNCTION woo.repair_analytics(store_id uuid) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF store_id IS NULL THEN
        RAISE EXCEPTION 'woo.repair_analytics: store_id is required' USING ERRCODE = '22004';
    END IF;
    IF store_id IS DISTINCT FROM woo.current_store() THEN
        RAISE EXCEPTION 'store_id % is not the store bound to this transaction', store_id USING ERRCODE = '42501';
    END IF;
    RETURN woo._rebuild_sales_daily(store_id);
END $$;
COMMENT ON FUNCTION woo.repair_analytics(uuid) IS
    'Rebuilds the bound store''s day-level rollup (public.sales_daily) from the raw tables; returns the day rows written';

-- Trigger on public.stores (AFTER UPDATE OF settings, per row, when the time zone or
-- the excluded statuses change): that store's rollup is rebuilt.
CREATE FUNCTION woo._sales_daily_stores() RETURNS trigger
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM woo._rebuild_sales_daily(NEW.id);
    RETURN NULL;
END $$;
COMMENT ON FUNCTION woo._sales_daily_stores() IS
    'Internal trigger on public.stores: rebuilds the rollup of a store whose time zone or excluded statuses changed';


-- The AI context map ---------------------------------------------------------------------
--
-- What a model needs to write SQL for the bound store, generated from the catalog at
-- call time: the relations of schema public woo_ai can read (the canonical views
-- first; tables whose comment starts with "Internal" and the application's own
-- tables left out) with the columns woo_ai can read (types, comments; "Internal:"
-- columns left out), the metric definitions, the store's currency, time zone and
-- excluded statuses, and example questions whose SQL woo.ai_query accepts.
CREATE FUNCTION woo.ai_context_jsonb() RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    store uuid := woo.current_store();
    rules record;
    cur text;
    rels jsonb;
BEGIN
    SELECT * INTO rules FROM woo.store_day_rules();
    SELECT o.currency INTO cur FROM public.orders o WHERE o.store_id = store ORDER BY o.date_created DESC LIMIT 1;
    SELECT coalesce(jsonb_agg(jsonb_build_object('name', r.name, 'kind', r.kind, 'comment', r.comment, 'columns', r.columns)
                              ORDER BY r.ord, r.name), '[]') INTO rels FROM (
        SELECT c.relname::text AS name,
               CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END AS kind,
               coalesce(array_position(ARRAY['metrics_daily', 'metrics_product_daily', 'metrics_coupon_daily', 'customer_segments'],
                                       c.relname::text), 10) AS ord,
               obj_description(c.oid, 'pg_class') AS comment,
               (SELECT jsonb_agg(jsonb_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                                                    'comment', col_description(c.oid, a.attnum)) ORDER BY a.attnum)
                  FROM pg_attribute a
                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                   AND has_column_privilege('woo_ai', c.oid, a.attnum, 'SELECT')
                   AND coalesce(col_description(c.oid, a.attnum), '') NOT LIKE 'Internal%') AS columns
          FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v')
           AND has_any_column_privilege('woo_ai', c.oid, 'SELECT')
           AND coalesce(obj_description(c.oid, 'pg_class'), '') NOT LIKE 'Internal%'
           AND c.relname NOT IN ('saved_charts', 'conversations', 'sync_logs')) r
     WHERE r.columns IS NOT NULL;
    RETURN jsonb_build_object(
        'store', jsonb_build_object('id', store, 'time_zone', rules.time_zone, 'currency', cur,
                                    'excluded_statuses', to_jsonb(rules.excluded_statuses)),
        'rules', jsonb_build_array(
            'Write exactly one read-only SELECT; it runs as role woo_ai and sees only this store''s rows (no store_id filter needed).',
            'Answer sales questions from the canonical views (metrics_daily, metrics_product_daily, metrics_coupon_daily, customer_segments): they apply the store''s time zone, its excluded statuses and refunds on the refund''s own day.',
            'Filter and group days by the views'' day column (a store-local calendar date); never cut days from timestamptz columns in UTC.',
            'Amounts are numeric in the store''s currency; orders.total includes tax and shipping, net_sales does not.'),
        'metrics', jsonb_build_array(
            'counted order: status not in the excluded statuses; its day is the store-local date of orders.date_created',
            'gross_sales = total - tax_total - shipping_total + discount_total (before coupons and refunds)',
            'net_sales = gross_sales - discounts - refunds (refunds on the store-local day they were made, when their order counts)',
            'total_sales = net_sales + taxes + shipping',
            'average_order_value = (gross_sales - discounts) / orders; over a period sum(gross_sales - discounts) / sum(orders)',
            'new_customers: customers whose first counted order is on that day; returning_customers: customers with a counted order that day and an earlier one',
            'items_sold, units = sum of line item quantities; product net_revenue = line totals after discounts, tax excluded',
            'customer segments: RFM quintiles 1-5 of last order date, order count and lifetime spend'),
        'relations', rels,
        'examples', jsonb_build_array(
            jsonb_build_object('question', 'Net sales per day over the last 30 days with data',
                'sql', 'SELECT day, orders, net_sales FROM metrics_daily WHERE day > (SELECT max(day) FROM metrics_daily) - 30 ORDER BY day'),
            jsonb_build_object('question', 'Revenue and average order value per month',
                'sql', 'SELECT date_trunc(''month'', day)::date AS month, sum(net_sales) AS net_sales, round(sum(gross_sales - discounts) / nullif(sum(orders), 0), 2) AS aov FROM metrics_daily GROUP BY 1 ORDER BY 1'),
            jsonb_build_object('question', 'New and returning customers per week',
                'sql', 'SELECT date_trunc(''week'', day)::date AS week, sum(new_customers) AS new, sum(returning_customers) AS returning FROM metrics_daily GROUP BY 1 ORDER BY 1'),
            jsonb_build_object('question', 'Top 10 products by units sold',
                'sql', 'SELECT product_name, sum(units) AS units, sum(net_revenue) AS revenue FROM metrics_product_daily GROUP BY product_name ORDER BY units DESC LIMIT 10'),
            jsonb_build_object('question', 'Which coupons gave the most discount?',
                'sql', 'SELECT coupon_code, sum(orders) AS orders, sum(discount) AS discount FROM metrics_coupon_daily GROUP BY coupon_code ORDER BY discount DESC'),
            jsonb_build_object('question', 'How many customers are in each segment, and what do they spend?',
                'sql', 'SELECT segment, count(*) AS customers, sum(total_spent) AS spent FROM customer_segments GROUP BY segment ORDER BY spent DESC')));
END $$;
COMMENT ON FUNCTION woo.ai_context_jsonb() IS
    'The AI context map of the bound store as jsonb: store, rules, metric definitions, readable relations and columns, examples';

CREATE FUNCTION woo.ai_context() RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    j jsonb := woo.ai_context_jsonb();
    out text;
    r jsonb;
    c jsonb;
    x jsonb;
    limit_bytes constant integer := 16384;
BEGIN
    out := format(E'# Data context for the bound store\n'
                  'Time zone: %s (days are cut in it; every timestamptz column is stored in UTC)\n'
                  'Currency: %s\nExcluded statuses (never counted in sales): %s\n\n## Rules\n',
                  j->'store'->>'time_zone', coalesce(j->'store'->>'currency', 'unknown (no orders yet)'),
                  (SELECT string_agg(v, ', ') FROM jsonb_array_elements_text(j->'store'->'excluded_statuses') v));
    FOR x IN SELECT * FROM jsonb_array_elements(j->'rules') LOOP out := out || '- ' || (x #>> '{}') || E'\n'; END LOOP;
    out := out || E'\n## Metric definitions\n';
    FOR x IN SELECT * FROM jsonb_array_elements(j->'metrics') LOOP out := out || '- ' || (x #>> '{}') || E'\n'; END LOOP;
    out := out || E'\n## Examples (SQL that woo.ai_query accepts)\n';
    FOR x IN SELECT * FROM jsonb_array_elements(j->'examples') LOOP
        out := out || 'Q: ' || (x->>'question') || E'\nSQL: ' || (x->>'sql') || E'\n';
    END LOOP;
    out := out || E'\n## Relations (canonical views first)\n';
    FOR r IN SELECT * FROM jsonb_array_elements(j->'relations') LOOP
        out := out || format(E'\n### %s (%s)%s\n', r->>'name', r->>'kind', coalesce(': ' || (r->>'comment'), ''));
        FOR c IN SELECT * FROM jsonb_array_elements(r->'columns') LOOP
            out := out || format(E'- %s %s%s\n', c->>'name', c->>'type', coalesce(': ' || (c->>'comment'), ''));
        END LOOP;
    END LOOP;
    IF octet_length(out) > limit_bytes THEN  -- cut at a line end, and say so
        out := left(out, limit_bytes - 200);
        out := left(out, length(out) - position(E'\n' IN reverse(out)) + 1) || E'(truncated at 16 KB)\n';
    END IF;
    RETURN out;
END $$;
COMMENT ON FUNCTION woo.ai_context() IS
    'The AI context map of the bound store as text (at most 16 KB): time zone, currency, excluded statuses, rules, metric definitions, examples, readable relations and columns with comments';

REVOKE ALL ON FUNCTION woo._sync_order_refunds(uuid, uuid[], jsonb[]), woo.upsert_refunds(uuid, integer, jsonb, boolean),
                       woo._store_rules(uuid[]), woo.store_day_rules(),
                       woo._sales_daily_trigger(), woo._sales_daily_flush(), woo._sales_daily_stores(),
                       woo.expected_sales_daily(uuid), woo.analytics_drift(uuid), woo._rebuild_sales_daily(uuid),
                       woo.repair_analytics(uuid), woo.ai_context_jsonb(), woo.ai_context() FROM PUBLIC;
-- ==== end issue 14 ====
