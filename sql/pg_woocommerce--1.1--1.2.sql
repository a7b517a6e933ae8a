-- pg_woocommerce 1.1 -> 1.2: ingestion (woo.upsert_*, woo.apply_webhook, webhook signatures, sync logs).

\echo Use "ALTER EXTENSION pg_woocommerce UPDATE TO '1.2'" to load this file. \quit

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
