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
     WHERE s.id = sync_id AND s.status IN ('running', 'failed');
    IF NOT FOUND THEN
        RAISE EXCEPTION 'woo.sync_finish: no running or failed sync % in the bound store', sync_id USING ERRCODE = 'P0002';
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
