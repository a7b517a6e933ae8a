-- pg_woocommerce 1.4 -> 1.5. Each issue's part is delimited by "-- ==== issue N" markers.

\echo Use "ALTER EXTENSION pg_woocommerce UPDATE TO '1.5'" to load this file. \quit

-- ==== issue 12: stores, API keys, saved charts, conversations, store lifecycle ====

-- woo.sync_finish sets stores.last_sync_at when a sync completes.
CREATE OR REPLACE FUNCTION woo.sync_finish(sync_id uuid, records integer, error text DEFAULT NULL) RETURNS void
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
                RAISE EXCEPTION 'settings.timezone: "%" is not a time zone name PostgreSQL knows', left(v #>> '{}', 64)
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
            RAISE EXCEPTION 'settings: unknown key "%"', left(k, 64)
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
        RAISE EXCEPTION 'woo.register_store: plan "%" is not one of free, starter, pro, agency', left(coalesce(plan, 'NULL'), 40)
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
    -- Referencing tables before the ones they reference.
    FOREACH t IN ARRAY ARRAY['woo.load_checkpoints', 'woo.ingest_rejects', 'public.refunds', 'public.order_items', 'public.orders',
                             'public.customers', 'public.products', 'public.categories', 'public.coupons',
                             'public.saved_charts', 'public.conversations', 'public.sync_logs',
                             -- issue 14: the refunds and the day-level rollups
                             'public.sales_daily', 'public.product_sales_daily', 'public.coupon_sales_daily'] LOOP
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
    RETURNS TABLE (customers_erased integer, rejects_deleted integer, customer_ids uuid[])
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
    customer_ids := coalesce(ids, '{}');
    RETURN NEXT;
END $$;
COMMENT ON FUNCTION woo.forget_customer(uuid, text) IS
    'GDPR erasure in the bound store: customers with the address''s hash (plain or Gmail-canonical) lose hash and name, their rejects are deleted, orders stay';

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
    IF query_text IS NOT NULL THEN
        PERFORM woo.check_ai_query(query_text);
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
    n integer;
BEGIN
    IF conversation_id IS NULL OR role IS NULL OR content IS NULL THEN
        RAISE EXCEPTION 'woo.append_message: conversation_id, role and content are required' USING ERRCODE = '22004';
    END IF;
    IF role NOT IN ('user', 'assistant', 'system', 'tool') THEN
        RAISE EXCEPTION 'role: "%" is not one of user, assistant, system, tool', left(role, 40) USING ERRCODE = '22023';
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
    msg := jsonb_build_object('role', role, 'content', woo.redact_emails(content));
    IF meta IS NOT NULL THEN
        msg := msg || jsonb_build_object('meta', woo._redact_emails_jsonb(meta));
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
        RAISE EXCEPTION 'resource: "%" has no cursor (orders, products or coupons)', left(resource, 40) USING ERRCODE = '22023';
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

-- ==== issue 14: refunds as dated rows, canonical sales metrics, day-level rollups ====

-- Refunds (1.5) --------------------------------------------------------------------------

-- Internal, called by woo.upsert_orders once per chunk: replaces the refund rows of
-- the written orders by their payloads' refunds[] (order_ids[i] <-> refunds[i], a JSON
-- array or NULL). refunds[] has no date: a new row is dated at the order's
-- date_modified (else date_created); a row already stored keeps its date (exact when
-- a /refunds page gave it). Entries without an id are keyed by -(position + 1).
CREATE FUNCTION woo._sync_order_refunds(store_id uuid, order_ids uuid[], refunds jsonb[]) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    -- Rows no longer listed go (probe by key: refunds_store_order_refund_key).
    DELETE FROM public.refunds r
     USING unnest(order_ids, refunds) AS u(o, j)
     WHERE r.store_id = _sync_order_refunds.store_id AND r.order_id = u.o
       AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(u.j) = 'array' THEN u.j ELSE '[]' END)
                                     WITH ORDINALITY AS e(v, i)
                        WHERE CASE WHEN jsonb_typeof(e.v->'id') = 'number' AND (e.v->>'id')::numeric > 0
                                   THEN (e.v->>'id')::numeric ELSE -e.i END = r.wc_refund_id);
    INSERT INTO public.refunds AS r (store_id, order_id, wc_refund_id, amount, reason, date_created, date_exact)
    SELECT _sync_order_refunds.store_id, u.o, x.wc, x.amount, x.reason, coalesce(o.date_modified, o.date_created), false
      FROM unnest(order_ids, refunds) AS u(o, j)
      JOIN public.orders o ON o.id = u.o AND o.store_id = _sync_order_refunds.store_id
     CROSS JOIN LATERAL (
            SELECT DISTINCT ON (1)
                   CASE WHEN jsonb_typeof(e.v->'id') = 'number' AND (e.v->>'id')::numeric > 0
                        THEN (e.v->>'id')::integer ELSE -e.i::integer END AS wc,
                   abs((e.v->>'total')::numeric(12,2)) AS amount,
                   coalesce(e.v->>'reason', e.v->>'refund') AS reason
              FROM jsonb_array_elements(CASE WHEN jsonb_typeof(u.j) = 'array' THEN u.j ELSE '[]' END) WITH ORDINALITY AS e(v, i)
             WHERE jsonb_typeof(e.v) = 'object' AND e.v->>'total' IS NOT NULL
             ORDER BY 1) x
    ON CONFLICT ON CONSTRAINT refunds_store_order_refund_key DO UPDATE
       SET amount = EXCLUDED.amount, reason = EXCLUDED.reason
     WHERE (r.amount, r.reason) IS DISTINCT FROM (EXCLUDED.amount, EXCLUDED.reason);
END $$;
COMMENT ON FUNCTION woo._sync_order_refunds(uuid, uuid[], jsonb[]) IS
    'Internal (woo.upsert_orders): the refund rows of the written orders from their refunds[]';

-- One /orders/<id>/refunds page (an array) or one refund (an object): each refund is
-- upserted by its id with its exact date (date_created_gmt) and amount (positive);
-- refunds not on the page are kept (pages are partial). orders.refunded_total becomes
-- the sum of the order's rows and the customer's metrics follow.
CREATE FUNCTION woo.upsert_refunds(store_id uuid, wc_order_id integer, payload jsonb, strict boolean DEFAULT true)
    RETURNS woo.upsert_result
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    res woo.upsert_result := ROW(0, 0, 0, 0, 0, 0);
    ord record;
    rec jsonb;
    i integer := -1;
    wc integer;
    amt numeric(12,2);
    dc timestamptz;
    rsn text;
    prev record;
    field text;
    msg text;
    state text;
    sum_refunded numeric(12,2);
BEGIN
    IF store_id IS NULL OR wc_order_id IS NULL OR payload IS NULL OR strict IS NULL THEN
        RAISE EXCEPTION 'woo.upsert_refunds: store_id, wc_order_id, payload and strict are required' USING ERRCODE = '22004';
    END IF;
    IF store_id IS DISTINCT FROM woo.current_store() THEN
        RAISE EXCEPTION 'store_id % is not the store bound to this transaction', store_id USING ERRCODE = '42501';
    END IF;
    IF jsonb_typeof(payload) NOT IN ('array', 'object') THEN
        RAISE EXCEPTION 'refunds: payload must be a JSON object or array, not %', jsonb_typeof(payload) USING ERRCODE = '22023';
    END IF;
    SELECT o.id, o.customer_id INTO ord FROM public.orders o
     WHERE o.store_id = upsert_refunds.store_id AND o.wc_order_id = upsert_refunds.wc_order_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'refunds: order % is not stored in this store', wc_order_id
            USING ERRCODE = '23503', HINT = 'Upsert the order (woo.upsert_orders) before its refunds.';
    END IF;
    FOR rec IN SELECT v FROM jsonb_array_elements(CASE jsonb_typeof(payload) WHEN 'array' THEN payload
                                                   ELSE jsonb_build_array(payload) END) AS e(v) LOOP
        i := i + 1;
        BEGIN
            field := 'id';
            IF jsonb_typeof(rec) <> 'object' THEN
                field := '';
                RAISE EXCEPTION 'refunds[%]: not a JSON object', i USING ERRCODE = '22023';
            END IF;
            IF coalesce(jsonb_typeof(rec->'id'), '') <> 'number' OR (rec->>'id')::numeric <> trunc((rec->>'id')::numeric)
               OR (rec->>'id')::numeric NOT BETWEEN 1 AND 2147483647 THEN
                RAISE EXCEPTION 'refunds[%]: id must be a positive integer', i USING ERRCODE = '22023';
            END IF;
            wc := (rec->>'id')::integer;
            field := 'amount';
            IF coalesce(jsonb_typeof(rec->'amount'), '') NOT IN ('string', 'number') OR (rec->>'amount') !~ '^\s*[-+]?[0-9]+(\.[0-9]+)?\s*$' THEN
                RAISE EXCEPTION 'refunds[%] (id %): amount must be a decimal number', i, wc USING ERRCODE = '22023';
            END IF;
            amt := abs((rec->>'amount')::numeric(12,2));
            field := 'date_created_gmt';
            IF coalesce(jsonb_typeof(rec->'date_created_gmt'), '') <> 'string' THEN
                RAISE EXCEPTION 'refunds[%] (id %): date_created_gmt is required', i, wc USING ERRCODE = '22023';
            END IF;
            BEGIN
                dc := ((rec->>'date_created_gmt')::timestamp) AT TIME ZONE 'UTC';
            EXCEPTION WHEN data_exception THEN
                RAISE EXCEPTION 'refunds[%] (id %): date_created_gmt "%" is not a date and time', i, wc, left(rec->>'date_created_gmt', 40)
                    USING ERRCODE = '22007';
            END;
            rsn := CASE WHEN jsonb_typeof(rec->'reason') = 'string' THEN rec->>'reason' END;
        EXCEPTION WHEN data_exception OR numeric_value_out_of_range THEN
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
            IF strict THEN
                RAISE EXCEPTION '%', msg USING ERRCODE = state;
            END IF;
            INSERT INTO woo.ingest_rejects (store_id, resource, wc_id, payload, error, sqlstate)
            VALUES (upsert_refunds.store_id, 'refunds',
                    CASE WHEN jsonb_typeof(rec->'id') = 'number' AND (rec->>'id') ~ '^[0-9]{1,18}$' THEN (rec->>'id')::bigint END,
                    woo._redact_emails_jsonb(rec), msg, state);
            res.rejected := res.rejected + 1;
            CONTINUE;
        END;
        SELECT r.amount, r.reason, r.date_created, r.date_exact INTO prev FROM public.refunds r
         WHERE r.store_id = upsert_refunds.store_id AND r.order_id = ord.id AND r.wc_refund_id = wc;
        IF NOT FOUND THEN
            INSERT INTO public.refunds (store_id, order_id, wc_refund_id, amount, reason, date_created, date_exact)
            VALUES (upsert_refunds.store_id, ord.id, wc, amt, rsn, dc, true)
            ON CONFLICT ON CONSTRAINT refunds_store_order_refund_key DO NOTHING;
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
        SELECT coalesce(sum(r.amount), 0) INTO sum_refunded FROM public.refunds r
         WHERE r.store_id = upsert_refunds.store_id AND r.order_id = ord.id;
        UPDATE public.orders o SET refunded_total = sum_refunded
         WHERE o.id = ord.id AND o.store_id = upsert_refunds.store_id AND o.refunded_total IS DISTINCT FROM sum_refunded;
        IF FOUND AND ord.customer_id IS NOT NULL THEN
            PERFORM woo.recompute_customer_metrics(upsert_refunds.store_id, ARRAY[ord.customer_id]);
        END IF;
    END IF;
    RETURN res;
END $$;
COMMENT ON FUNCTION woo.upsert_refunds(uuid, integer, jsonb, boolean) IS
    'Upserts the refunds of one order from a /orders/<id>/refunds page (or one refund), exact dates; refunded_total = their sum';

-- Canonical sales metrics: day-level rollups (1.5) --------------------------------------
--
-- Definitions (after WooCommerce Analytics; README, "Canonical metrics"). An order
-- counts when its status is not one of the store's excluded statuses
-- (woo.excluded_statuses). Its day is the store-local date of date_created
-- (stores.settings timezone, UTC when unset); a refund's day is the local date of the
-- refund's own date_created, and it counts when its order counts.
--   gross_sales = total - tax_total - shipping_total + discount_total (before coupons and refunds)
--   net_sales   = gross_sales - discounts - refunds
--   total_sales = net_sales + taxes + shipping
-- The rollups are written by the triggers below, in the writer's transaction; the
-- functions run as the extension's owner (the rollups are read-only to everyone else).

-- The store's day-cutting time zone.
CREATE FUNCTION woo.store_timezone(store_id uuid) RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN coalesce((SELECT s.settings->>'timezone' FROM public.stores s WHERE s.id = store_timezone.store_id), 'UTC');
END $$;
COMMENT ON FUNCTION woo.store_timezone(uuid) IS
    'The time zone that cuts a store''s days: settings.timezone, else UTC';

-- Applies signed order states: each (sign, order) adds (+1) or removes (-1) the
-- order's own contribution; with move, its line items and refunds as stored now move
-- with it (a change of status, date or store). One statement, probes by key.
CREATE FUNCTION woo._rollup_orders(signs integer[], store_ids uuid[], ids uuid[], dates timestamptz[], statuses text[],
                                   totals numeric[], taxes numeric[], shippings numeric[], discounts numeric[],
                                   coupons text[], moves boolean[]) RETURNS void
    LANGUAGE plpgsql VOLATILE
    -- Call-sized arrays: probe the tables by key, whatever the statistics say
    -- (never-analysed or analysed, a hash join would read a whole table).
    SET enable_hashjoin = off
    SET enable_mergejoin = off
    SET enable_seqscan = off
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM pg_catalog.pg_advisory_xact_lock_shared(hashtext('woo.analytics'), hashtext(x::text))
       FROM (SELECT DISTINCT x FROM unnest(store_ids) AS x) d;
    WITH st AS (
        SELECT s.id, coalesce(s.settings->>'timezone', 'UTC') AS tz, woo.excluded_statuses(s.id) AS ex
          FROM public.stores s WHERE s.id = ANY (store_ids)),
    d AS (
        SELECT u.*, (u.dc AT TIME ZONE st.tz)::date AS day, st.tz
          FROM unnest(signs, store_ids, ids, dates, statuses, totals, taxes, shippings, discounts, coupons, moves)
               AS u(s, store, id, dc, status, tot, tax, ship, disc, cp, mv)
          JOIN st ON st.id = u.store
         WHERE u.status <> ALL (st.ex)),
    items AS (
        SELECT d.s, d.store, d.day, d.id, i.product_id, i.quantity, i.total
          FROM d JOIN public.order_items i ON i.store_id = d.store AND i.order_id = d.id
         WHERE d.mv),
    sales AS (
        SELECT d.store, d.day, d.s AS orders, 0::numeric AS items,
               d.s * (d.tot - coalesce(d.tax, 0) - coalesce(d.ship, 0) + coalesce(d.disc, 0)) AS gross,
               d.s * coalesce(d.disc, 0) AS disc, 0::numeric AS refunds,
               d.s * coalesce(d.tax, 0) AS tax, d.s * coalesce(d.ship, 0) AS ship
          FROM d
        UNION ALL
        SELECT items.store, items.day, 0, items.s * items.quantity, 0, 0, 0, 0, 0 FROM items
        UNION ALL
        SELECT d.store, (r.date_created AT TIME ZONE d.tz)::date, 0, 0, 0, 0, d.s * r.amount, 0, 0
          FROM d JOIN public.refunds r ON r.store_id = d.store AND r.order_id = d.id
         WHERE d.mv),
    ins_sales AS (
        INSERT INTO public.sales_daily AS t (store_id, day, orders, items_sold, gross_sales, discounts, refunds, taxes, shipping)
        SELECT store, day, sum(orders), sum(items), sum(gross), sum(disc), sum(refunds), sum(tax), sum(ship)
          FROM sales GROUP BY store, day ORDER BY store, day  -- key order: concurrent writers lock rows alike
        ON CONFLICT (store_id, day) DO UPDATE
           SET orders = t.orders + EXCLUDED.orders, items_sold = t.items_sold + EXCLUDED.items_sold,
               gross_sales = t.gross_sales + EXCLUDED.gross_sales, discounts = t.discounts + EXCLUDED.discounts,
               refunds = t.refunds + EXCLUDED.refunds, taxes = t.taxes + EXCLUDED.taxes, shipping = t.shipping + EXCLUDED.shipping),
    ins_products AS (
        INSERT INTO public.product_sales_daily AS t (store_id, day, product_id, units, net_revenue, orders)
        SELECT store, day, product_id, sum(s * quantity), sum(s * coalesce(total, 0)), sum(s) FILTER (WHERE first)
          FROM (SELECT items.*, row_number() OVER (PARTITION BY s, id, product_id) = 1 AS first
                  FROM items WHERE product_id IS NOT NULL) x
         GROUP BY store, day, product_id ORDER BY store, day, product_id
        ON CONFLICT (store_id, day, product_id) DO UPDATE
           SET units = t.units + EXCLUDED.units, net_revenue = t.net_revenue + EXCLUDED.net_revenue,
               orders = t.orders + EXCLUDED.orders)
    INSERT INTO public.coupon_sales_daily AS t (store_id, day, coupon_code, orders, discount)
    SELECT d.store, d.day, c.code, sum(d.s), sum(d.s * round(coalesce(d.disc, 0) / c.n, 2))
      FROM d CROSS JOIN LATERAL (SELECT x AS code, count(*) OVER () AS n
                                   FROM unnest(string_to_array(d.cp, ',')) AS x) c
     WHERE d.cp IS NOT NULL
     GROUP BY d.store, d.day, c.code ORDER BY d.store, d.day, c.code
    ON CONFLICT (store_id, day, coupon_code) DO UPDATE
       SET orders = t.orders + EXCLUDED.orders, discount = t.discount + EXCLUDED.discount;
END $$;
COMMENT ON FUNCTION woo._rollup_orders(integer[], uuid[], uuid[], timestamptz[], text[], numeric[], numeric[], numeric[], numeric[], text[], boolean[]) IS
    'Internal: adds (+1) or removes (-1) orders'' contributions to the day-level rollups';

-- Applies signed line items or refunds under their order's current state (an item
-- or refund whose order is gone was removed with the order, by woo._rollup_order_deleted).
CREATE FUNCTION woo._rollup_children(kind text, signs integer[], store_ids uuid[], order_ids uuid[], product_ids uuid[],
                                     quantities numeric[], amounts numeric[], dates timestamptz[]) RETURNS void
    LANGUAGE plpgsql VOLATILE
    -- Call-sized arrays: probe the tables by key, whatever the statistics say
    -- (never-analysed or analysed, a hash join would read a whole table).
    SET enable_hashjoin = off
    SET enable_mergejoin = off
    SET enable_seqscan = off
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM pg_catalog.pg_advisory_xact_lock_shared(hashtext('woo.analytics'), hashtext(x::text))
       FROM (SELECT DISTINCT x FROM unnest(store_ids) AS x) d;
    WITH st AS (
        SELECT s.id, coalesce(s.settings->>'timezone', 'UTC') AS tz, woo.excluded_statuses(s.id) AS ex
          FROM public.stores s WHERE s.id = ANY (store_ids)),
    d AS (
        SELECT u.s, u.store, u.oid, u.pid, u.q, u.amt,
               (CASE kind WHEN 'refund' THEN u.dc ELSE o.date_created END AT TIME ZONE st.tz)::date AS day
          FROM unnest(signs, store_ids, order_ids, product_ids, quantities, amounts, dates) AS u(s, store, oid, pid, q, amt, dc)
          JOIN st ON st.id = u.store
          JOIN public.orders o ON o.id = u.oid AND o.store_id = u.store
         WHERE o.status <> ALL (st.ex)),
    ins_sales AS (
        INSERT INTO public.sales_daily AS t (store_id, day, items_sold, refunds)
        SELECT store, day, CASE kind WHEN 'item' THEN sum(s * q) ELSE 0 END, CASE kind WHEN 'refund' THEN sum(s * amt) ELSE 0 END
          FROM d GROUP BY store, day ORDER BY store, day  -- key order: concurrent writers lock rows alike
        ON CONFLICT (store_id, day) DO UPDATE
           SET items_sold = t.items_sold + EXCLUDED.items_sold, refunds = t.refunds + EXCLUDED.refunds)
    INSERT INTO public.product_sales_daily AS t (store_id, day, product_id, units, net_revenue, orders)
    SELECT store, day, pid, sum(s * q), sum(s * coalesce(amt, 0)), sum(s) FILTER (WHERE first)
      FROM (SELECT d.*, row_number() OVER (PARTITION BY s, oid, pid) = 1 AS first FROM d
             WHERE kind = 'item' AND pid IS NOT NULL) x
     GROUP BY store, day, pid ORDER BY store, day, pid
    ON CONFLICT (store_id, day, product_id) DO UPDATE
       SET units = t.units + EXCLUDED.units, net_revenue = t.net_revenue + EXCLUDED.net_revenue,
           orders = t.orders + EXCLUDED.orders;
END $$;
COMMENT ON FUNCTION woo._rollup_children(text, integer[], uuid[], uuid[], uuid[], numeric[], numeric[], timestamptz[]) IS
    'Internal: adds (+1) or removes (-1) line items'' or refunds'' contributions to the day-level rollups';

-- The triggers (created by the migration extension_1_5 on public.orders, order_items,
-- refunds and stores). They run as the extension's owner: the rollups are read-only
-- to everyone else, and the rows they read are the ones the writer just wrote.
CREATE FUNCTION woo._analytics_orders_trigger() RETURNS trigger
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    a record;
BEGIN
    IF TG_OP = 'DELETE' THEN  -- FOR EACH ROW, BEFORE: the items and refunds are still there
        PERFORM woo._rollup_orders(ARRAY[-1], ARRAY[OLD.store_id], ARRAY[OLD.id], ARRAY[OLD.date_created], ARRAY[OLD.status::text],
                                   ARRAY[OLD.total], ARRAY[OLD.tax_total], ARRAY[OLD.shipping_total], ARRAY[OLD.discount_total],
                                   ARRAY[OLD.coupon_used::text], ARRAY[true]);
        RETURN OLD;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT array_agg(1) AS s, array_agg(n.store_id) AS store, array_agg(n.id) AS id, array_agg(n.date_created) AS dc,
               array_agg(n.status::text) AS status, array_agg(n.total) AS tot, array_agg(n.tax_total) AS tax,
               array_agg(n.shipping_total) AS ship, array_agg(n.discount_total) AS disc, array_agg(n.coupon_used::text) AS cp,
               array_agg(false) AS mv  -- a new order has no items or refunds yet (they reference it)
          INTO a FROM new_rows n;
    ELSE
        SELECT array_agg(x.s) AS s, array_agg(x.store) AS store, array_agg(x.id) AS id, array_agg(x.dc) AS dc,
               array_agg(x.status) AS status, array_agg(x.tot) AS tot, array_agg(x.tax) AS tax, array_agg(x.ship) AS ship,
               array_agg(x.disc) AS disc, array_agg(x.cp) AS cp, array_agg(x.mv) AS mv
          INTO a
          FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
         CROSS JOIN LATERAL (
                SELECT (o.store_id, o.date_created, o.status) IS DISTINCT FROM (n.store_id, n.date_created, n.status) AS mv) m
         CROSS JOIN LATERAL (
                SELECT -1 AS s, o.store_id AS store, o.id, o.date_created AS dc, o.status::text AS status, o.total AS tot,
                       o.tax_total AS tax, o.shipping_total AS ship, o.discount_total AS disc, o.coupon_used::text AS cp, m.mv
                 WHERE o.id IS NOT NULL
                UNION ALL
                SELECT 1, n.store_id, n.id, n.date_created, n.status::text, n.total, n.tax_total, n.shipping_total,
                       n.discount_total, n.coupon_used::text, m.mv
                 WHERE n.id IS NOT NULL) x
         WHERE (o.store_id, o.date_created, o.status, o.total, o.tax_total, o.shipping_total, o.discount_total, o.coupon_used)
               IS DISTINCT FROM (n.store_id, n.date_created, n.status, n.total, n.tax_total, n.shipping_total, n.discount_total, n.coupon_used);
    END IF;
    IF a.s IS NOT NULL THEN
        PERFORM woo._rollup_orders(a.s, a.store, a.id, a.dc, a.status, a.tot, a.tax, a.ship, a.disc, a.cp, a.mv);
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION woo._analytics_orders_trigger() IS
    'Internal trigger on public.orders: keeps the day-level rollups right in the writer''s transaction';

CREATE FUNCTION woo._analytics_items_trigger() RETURNS trigger
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    a record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(1) AS s, array_agg(n.store_id) AS store, array_agg(n.order_id) AS oid, array_agg(n.product_id) AS pid,
               array_agg(n.quantity) AS q, array_agg(n.total) AS amt
          INTO a FROM new_rows n;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(-1) AS s, array_agg(o.store_id) AS store, array_agg(o.order_id) AS oid, array_agg(o.product_id) AS pid,
               array_agg(o.quantity) AS q, array_agg(o.total) AS amt
          INTO a FROM old_rows o;
    ELSE
        SELECT array_agg(x.s) AS s, array_agg(x.store) AS store, array_agg(x.oid) AS oid, array_agg(x.pid) AS pid,
               array_agg(x.q) AS q, array_agg(x.amt) AS amt
          INTO a
          FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
         CROSS JOIN LATERAL (
                SELECT -1 AS s, o.store_id AS store, o.order_id AS oid, o.product_id AS pid, o.quantity AS q, o.total AS amt
                 WHERE o.id IS NOT NULL
                UNION ALL
                SELECT 1, n.store_id, n.order_id, n.product_id, n.quantity, n.total WHERE n.id IS NOT NULL) x
         WHERE (o.store_id, o.order_id, o.product_id, o.quantity, o.total)
               IS DISTINCT FROM (n.store_id, n.order_id, n.product_id, n.quantity, n.total);
    END IF;
    IF a.s IS NOT NULL THEN
        PERFORM woo._rollup_children('item', a.s, a.store, a.oid, a.pid, a.q, a.amt, NULL);
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION woo._analytics_items_trigger() IS
    'Internal trigger on public.order_items: keeps the day-level rollups right in the writer''s transaction';

CREATE FUNCTION woo._analytics_refunds_trigger() RETURNS trigger
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    a record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(1) AS s, array_agg(n.store_id) AS store, array_agg(n.order_id) AS oid,
               array_agg(n.amount) AS amt, array_agg(n.date_created) AS dc
          INTO a FROM new_rows n;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(-1) AS s, array_agg(o.store_id) AS store, array_agg(o.order_id) AS oid,
               array_agg(o.amount) AS amt, array_agg(o.date_created) AS dc
          INTO a FROM old_rows o;
    ELSE
        SELECT array_agg(x.s) AS s, array_agg(x.store) AS store, array_agg(x.oid) AS oid, array_agg(x.amt) AS amt,
               array_agg(x.dc) AS dc
          INTO a
          FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
         CROSS JOIN LATERAL (
                SELECT -1 AS s, o.store_id AS store, o.order_id AS oid, o.amount AS amt, o.date_created AS dc WHERE o.id IS NOT NULL
                UNION ALL
                SELECT 1, n.store_id, n.order_id, n.amount, n.date_created WHERE n.id IS NOT NULL) x
         WHERE (o.store_id, o.order_id, o.amount, o.date_created) IS DISTINCT FROM (n.store_id, n.order_id, n.amount, n.date_created);
    END IF;
    IF a.s IS NOT NULL THEN
        PERFORM woo._rollup_children('refund', a.s, a.store, a.oid, NULL::uuid[], NULL::numeric[], a.amt, a.dc);
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION woo._analytics_refunds_trigger() IS
    'Internal trigger on public.refunds: keeps the day-level rollups right in the writer''s transaction';

-- The rollups as the raw tables say they are (what the triggers maintain).
CREATE FUNCTION woo.expected_sales_daily(store_id uuid)
    RETURNS TABLE (day date, orders integer, items_sold numeric, gross_sales numeric(14,2), discounts numeric(14,2),
                   refunds numeric(14,2), taxes numeric(14,2), shipping numeric(14,2))
    LANGUAGE plpgsql STABLE
    -- A whole store: hash joins whatever the statistics say (a never-analysed
    -- database otherwise gets nested loops over a million orders).
    SET enable_nestloop = off
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tz text := woo.store_timezone(expected_sales_daily.store_id);
    ex text[] := woo.excluded_statuses(expected_sales_daily.store_id);
BEGIN
    RETURN QUERY
    WITH o AS (
        SELECT o.id, (o.date_created AT TIME ZONE tz)::date AS day, o.total, o.tax_total, o.shipping_total, o.discount_total
          FROM public.orders o
         WHERE o.store_id = expected_sales_daily.store_id AND o.status <> ALL (ex)),
    c AS (
        SELECT o.day, 1 AS n, 0::numeric AS items,
               o.total - coalesce(o.tax_total, 0) - coalesce(o.shipping_total, 0) + coalesce(o.discount_total, 0) AS gross,
               coalesce(o.discount_total, 0) AS disc, 0::numeric AS refunds, coalesce(o.tax_total, 0) AS tax,
               coalesce(o.shipping_total, 0) AS ship
          FROM o
        UNION ALL
        SELECT o.day, 0, i.quantity, 0, 0, 0, 0, 0
          FROM o JOIN public.order_items i ON i.order_id = o.id AND i.store_id = expected_sales_daily.store_id
        UNION ALL
        SELECT (r.date_created AT TIME ZONE tz)::date, 0, 0, 0, 0, r.amount, 0, 0
          FROM o JOIN public.refunds r ON r.order_id = o.id AND r.store_id = expected_sales_daily.store_id)
    SELECT c.day, sum(c.n)::integer, sum(c.items), sum(c.gross)::numeric(14,2), sum(c.disc)::numeric(14,2),
           sum(c.refunds)::numeric(14,2), sum(c.tax)::numeric(14,2), sum(c.ship)::numeric(14,2)
      FROM c GROUP BY c.day;
END $$;
COMMENT ON FUNCTION woo.expected_sales_daily(uuid) IS
    'public.sales_daily of a store recomputed from orders, order_items and refunds';

CREATE FUNCTION woo.expected_product_sales_daily(store_id uuid)
    RETURNS TABLE (day date, product_id uuid, units numeric, net_revenue numeric(14,2), orders integer)
    LANGUAGE plpgsql STABLE
    -- A whole store: hash joins whatever the statistics say (a never-analysed
    -- database otherwise gets nested loops over a million orders).
    SET enable_nestloop = off
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tz text := woo.store_timezone(expected_product_sales_daily.store_id);
    ex text[] := woo.excluded_statuses(expected_product_sales_daily.store_id);
BEGIN
    RETURN QUERY
    SELECT (o.date_created AT TIME ZONE tz)::date, i.product_id, sum(i.quantity), sum(coalesce(i.total, 0))::numeric(14,2),
           count(DISTINCT o.id)::integer
      FROM public.orders o JOIN public.order_items i ON i.order_id = o.id AND i.store_id = expected_product_sales_daily.store_id
     WHERE o.store_id = expected_product_sales_daily.store_id AND o.status <> ALL (ex) AND i.product_id IS NOT NULL
     GROUP BY 1, 2;
END $$;
COMMENT ON FUNCTION woo.expected_product_sales_daily(uuid) IS
    'public.product_sales_daily of a store recomputed from orders and order_items';

CREATE FUNCTION woo.expected_coupon_sales_daily(store_id uuid)
    RETURNS TABLE (day date, coupon_code text, orders integer, discount numeric(14,2))
    LANGUAGE plpgsql STABLE
    -- A whole store: hash joins whatever the statistics say (a never-analysed
    -- database otherwise gets nested loops over a million orders).
    SET enable_nestloop = off
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tz text := woo.store_timezone(expected_coupon_sales_daily.store_id);
    ex text[] := woo.excluded_statuses(expected_coupon_sales_daily.store_id);
BEGIN
    RETURN QUERY
    SELECT (o.date_created AT TIME ZONE tz)::date, c.code, count(*)::integer,
           sum(round(coalesce(o.discount_total, 0) / c.n, 2))::numeric(14,2)
      FROM public.orders o
     CROSS JOIN LATERAL (SELECT x AS code, count(*) OVER () AS n FROM unnest(string_to_array(o.coupon_used::text, ',')) AS x) c
     WHERE o.store_id = expected_coupon_sales_daily.store_id AND o.status <> ALL (ex) AND o.coupon_used IS NOT NULL
     GROUP BY 1, 2;
END $$;
COMMENT ON FUNCTION woo.expected_coupon_sales_daily(uuid) IS
    'public.coupon_sales_daily of a store recomputed from orders (an order''s discount shared equally among its codes)';

-- Rollup values that differ from the raw tables (a missing row counts as zeros).
CREATE FUNCTION woo.analytics_drift(store_id uuid)
    RETURNS TABLE (rollup text, day date, key text, column_name text, stored numeric, expected numeric)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF store_id IS NULL THEN
        RAISE EXCEPTION 'woo.analytics_drift: store_id must not be NULL' USING ERRCODE = '22004';
    END IF;
    RETURN QUERY
    WITH s AS (SELECT t.day, t.orders, t.items_sold, t.gross_sales, t.discounts, t.refunds, t.taxes, t.shipping
                 FROM public.sales_daily t WHERE t.store_id = analytics_drift.store_id),
    e AS (SELECT * FROM woo.expected_sales_daily(analytics_drift.store_id))
    SELECT 'sales_daily', coalesce(s.day, e.day), NULL::text, v.c, v.a, v.b
      FROM s FULL JOIN e ON e.day = s.day
     CROSS JOIN LATERAL (VALUES ('orders', coalesce(s.orders, 0)::numeric, coalesce(e.orders, 0)::numeric),
                                ('items_sold', coalesce(s.items_sold, 0), coalesce(e.items_sold, 0)),
                                ('gross_sales', coalesce(s.gross_sales, 0), coalesce(e.gross_sales, 0)),
                                ('discounts', coalesce(s.discounts, 0), coalesce(e.discounts, 0)),
                                ('refunds', coalesce(s.refunds, 0), coalesce(e.refunds, 0)),
                                ('taxes', coalesce(s.taxes, 0), coalesce(e.taxes, 0)),
                                ('shipping', coalesce(s.shipping, 0), coalesce(e.shipping, 0))) AS v(c, a, b)
     WHERE v.a <> v.b;
    RETURN QUERY
    WITH s AS (SELECT t.day, t.product_id, t.units, t.net_revenue, t.orders
                 FROM public.product_sales_daily t WHERE t.store_id = analytics_drift.store_id),
    e AS (SELECT * FROM woo.expected_product_sales_daily(analytics_drift.store_id))
    SELECT 'product_sales_daily', coalesce(s.day, e.day), coalesce(s.product_id, e.product_id)::text, v.c, v.a, v.b
      FROM s FULL JOIN e ON e.day = s.day AND e.product_id = s.product_id
     CROSS JOIN LATERAL (VALUES ('units', coalesce(s.units, 0), coalesce(e.units, 0)),
                                ('net_revenue', coalesce(s.net_revenue, 0), coalesce(e.net_revenue, 0)),
                                ('orders', coalesce(s.orders, 0)::numeric, coalesce(e.orders, 0)::numeric)) AS v(c, a, b)
     WHERE v.a <> v.b;
    RETURN QUERY
    WITH s AS (SELECT t.day, t.coupon_code, t.orders, t.discount
                 FROM public.coupon_sales_daily t WHERE t.store_id = analytics_drift.store_id),
    e AS (SELECT * FROM woo.expected_coupon_sales_daily(analytics_drift.store_id))
    SELECT 'coupon_sales_daily', coalesce(s.day, e.day), coalesce(s.coupon_code, e.coupon_code), v.c, v.a, v.b
      FROM s FULL JOIN e ON e.day = s.day AND e.coupon_code = s.coupon_code
     CROSS JOIN LATERAL (VALUES ('orders', coalesce(s.orders, 0)::numeric, coalesce(e.orders, 0)::numeric),
                                ('discount', coalesce(s.discount, 0), coalesce(e.discount, 0))) AS v(c, a, b)
     WHERE v.a <> v.b;
END $$;
COMMENT ON FUNCTION woo.analytics_drift(uuid) IS
    'Day-level rollup values that differ from what the raw tables say (empty when all is right)';

-- Rebuilds a store's rollups from the raw tables (internal: no binding check).
CREATE FUNCTION woo._rebuild_analytics(store_id uuid) RETURNS integer
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n integer;
    total integer := 0;
BEGIN
    -- One writer of a store's rollups at a time while they are rebuilt.
    PERFORM pg_catalog.pg_advisory_xact_lock(hashtext('woo.analytics'), hashtext(store_id::text));
    DELETE FROM public.sales_daily t WHERE t.store_id = _rebuild_analytics.store_id;
    DELETE FROM public.product_sales_daily t WHERE t.store_id = _rebuild_analytics.store_id;
    DELETE FROM public.coupon_sales_daily t WHERE t.store_id = _rebuild_analytics.store_id;
    INSERT INTO public.sales_daily (store_id, day, orders, items_sold, gross_sales, discounts, refunds, taxes, shipping)
    SELECT _rebuild_analytics.store_id, e.* FROM woo.expected_sales_daily(_rebuild_analytics.store_id) e;
    GET DIAGNOSTICS n = ROW_COUNT; total := total + n;
    INSERT INTO public.product_sales_daily (store_id, day, product_id, units, net_revenue, orders)
    SELECT _rebuild_analytics.store_id, e.* FROM woo.expected_product_sales_daily(_rebuild_analytics.store_id) e;
    GET DIAGNOSTICS n = ROW_COUNT; total := total + n;
    INSERT INTO public.coupon_sales_daily (store_id, day, coupon_code, orders, discount)
    SELECT _rebuild_analytics.store_id, e.* FROM woo.expected_coupon_sales_daily(_rebuild_analytics.store_id) e;
    GET DIAGNOSTICS n = ROW_COUNT; total := total + n;
    RETURN total;
END $$;
COMMENT ON FUNCTION woo._rebuild_analytics(uuid) IS 'Internal: rebuilds a store''s day-level rollups from the raw tables';

CREATE FUNCTION woo.repair_analytics(store_id uuid) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF store_id IS NULL THEN
        RAISE EXCEPTION 'woo.repair_analytics: store_id must not be NULL' USING ERRCODE = '22004';
    END IF;
    IF store_id IS DISTINCT FROM woo.current_store() THEN
        RAISE EXCEPTION 'store_id % is not the store bound to this transaction', store_id USING ERRCODE = '42501';
    END IF;
    RETURN woo._rebuild_analytics(store_id);
END $$;
COMMENT ON FUNCTION woo.repair_analytics(uuid) IS
    'Rebuilds the bound store''s day-level rollups from the raw tables; returns the rows written';

-- A store whose timezone or excluded statuses change gets its rollups rebuilt.
CREATE FUNCTION woo._analytics_stores_trigger() RETURNS trigger
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s uuid;
BEGIN
    FOR s IN SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
              WHERE (o.settings->'timezone', o.settings->'excluded_statuses')
                    IS DISTINCT FROM (n.settings->'timezone', n.settings->'excluded_statuses') LOOP
        PERFORM woo._rebuild_analytics(s);
    END LOOP;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION woo._analytics_stores_trigger() IS
    'Internal trigger on public.stores: rebuilds the rollups of a store whose timezone or excluded statuses changed';

-- The AI context map (1.5) -----------------------------------------------------------------
--
-- What a model needs to write SQL for the bound store, generated from the catalog at
-- call time: only the relations (schema public) and columns woo_ai can read, with
-- types and comments, the canonical views first (rollup tables, the application's own
-- tables and "Internal:" columns left out), the metric definitions, the store's
-- currency, time zone and excluded statuses, and example questions with SQL that
-- woo.ai_query accepts. The text form is at most 16 KB.
CREATE FUNCTION woo.ai_context_jsonb() RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    store uuid := woo.current_store();
    tz text := woo.store_timezone(store);
    ex text[] := woo.excluded_statuses(store);
    cur text;
    rels jsonb;
BEGIN
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
                   AND coalesce(col_description(c.oid, a.attnum), '') NOT LIKE 'Internal:%') AS columns
          FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v')
           AND has_any_column_privilege('woo_ai', c.oid, 'SELECT')
           AND coalesce(obj_description(c.oid, 'pg_class'), '') NOT LIKE 'Rollup behind%'
           AND c.relname NOT IN ('saved_charts', 'conversations', 'sync_logs')) r
     WHERE r.columns IS NOT NULL;
    RETURN jsonb_build_object(
        'store', jsonb_build_object('id', store, 'time_zone', tz, 'currency', cur, 'excluded_statuses', to_jsonb(ex)),
        'rules', jsonb_build_array(
            'Write exactly one read-only SELECT; it runs as role woo_ai and sees only this store''s rows (no store_id filter needed).',
            'Answer sales questions from the canonical views (metrics_daily, metrics_product_daily, metrics_coupon_daily, customer_segments): they already apply the store''s time zone, its excluded statuses and refunds on the refund''s own day.',
            'Filter and group days by the views'' day column (a local calendar date); never cut days from timestamptz columns in UTC.',
            'Amounts are numeric in the store''s currency; orders.total includes tax and shipping, net_sales does not.'),
        'metrics', jsonb_build_array(
            'counted order: status not in the excluded statuses; its day is the local date of orders.date_created',
            'gross_sales = total - tax_total - shipping_total + discount_total (before coupons and refunds)',
            'net_sales = gross_sales - discounts - refunds (refunds on the local day they were made)',
            'total_sales = net_sales + taxes + shipping',
            'average_order_value = (gross_sales - discounts) / orders',
            'items_sold, units = sum of line item quantities; product net_revenue = line totals after discounts, tax excluded',
            'customer segments: RFM quintiles 1-5 of last order date, order count and lifetime spend'),
        'relations', rels,
        'examples', jsonb_build_array(
            jsonb_build_object('question', 'Net sales per day over the last 30 days with data',
                'sql', 'SELECT day, orders, net_sales FROM metrics_daily WHERE day > (SELECT max(day) FROM metrics_daily) - 30 ORDER BY day'),
            jsonb_build_object('question', 'Revenue and average order value per month',
                'sql', 'SELECT date_trunc(''month'', day)::date AS month, sum(net_sales) AS net_sales, round(sum(gross_sales - discounts) / nullif(sum(orders), 0), 2) AS aov FROM metrics_daily GROUP BY 1 ORDER BY 1'),
            jsonb_build_object('question', 'Top 10 products by units sold',
                'sql', 'SELECT product_name, sum(units) AS units, sum(net_revenue) AS revenue FROM metrics_product_daily GROUP BY product_name ORDER BY units DESC LIMIT 10'),
            jsonb_build_object('question', 'Which coupons gave the most discount?',
                'sql', 'SELECT coupon_code, sum(orders) AS orders, sum(discount) AS discount FROM metrics_coupon_daily GROUP BY coupon_code ORDER BY discount DESC'),
            jsonb_build_object('question', 'How many customers are in each segment, and what do they spend?',
                'sql', 'SELECT segment, count(*) AS customers, sum(total_spent) AS spent FROM customer_segments GROUP BY segment ORDER BY spent DESC'),
            jsonb_build_object('question', 'Refunds per reason',
                'sql', 'SELECT coalesce(nullif(reason, ''''), ''(none)'') AS reason, count(*) AS refunds, sum(amount) AS amount FROM refunds GROUP BY 1 ORDER BY amount DESC')));
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
                       woo.store_timezone(uuid),
                       woo._rollup_orders(integer[], uuid[], uuid[], timestamptz[], text[], numeric[], numeric[], numeric[], numeric[], text[], boolean[]),
                       woo._rollup_children(text, integer[], uuid[], uuid[], uuid[], numeric[], numeric[], timestamptz[]),
                       woo._analytics_orders_trigger(), woo._analytics_items_trigger(), woo._analytics_refunds_trigger(),
                       woo._analytics_stores_trigger(), woo.expected_sales_daily(uuid), woo.expected_product_sales_daily(uuid),
                       woo.expected_coupon_sales_daily(uuid), woo.analytics_drift(uuid), woo._rebuild_analytics(uuid),
                       woo.repair_analytics(uuid), woo.ai_context_jsonb(), woo.ai_context() FROM PUBLIC;

-- ==== end issue 14 ====
