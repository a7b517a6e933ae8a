-- pg_woocommerce 1.5 -> 1.4. Each issue's part is delimited by "-- ==== issue N" markers.

\echo Use "ALTER EXTENSION pg_woocommerce UPDATE TO '1.4'" to load this file. \quit

-- ==== issue 12: stores, API keys, saved charts, conversations, store lifecycle ====
DROP FUNCTION woo.sync_cursor(uuid, text), woo.append_message(uuid, text, text, jsonb), woo.start_conversation(uuid),
              woo._redact_emails_jsonb(jsonb), woo.redact_emails(text), woo.move_chart(uuid, integer), woo.delete_chart(uuid), woo.run_chart(uuid, integer),
              woo.update_chart(uuid, text, text, jsonb), woo.save_chart(uuid, text, text, jsonb, integer),
              woo._check_chart_fields(text, text, jsonb), woo._check_chart_config(jsonb), woo.check_ai_query(text),
              woo.forget_customer(uuid, text), woo.purge_store(uuid), woo.deactivate_store(uuid),
              woo.configure_store(uuid, jsonb), woo.rotate_store_key(uuid, text), woo.verify_store_key(text, text),
              woo.register_store(text, text, text, text, jsonb), woo._check_store_settings(jsonb),
              woo._api_key_matches(text, text), woo._hash_api_key(text, text), woo.normalize_store_url(text);

-- woo.sync_finish as in 1.4 (no stores.last_sync_at).
CREATE OR REPLACE FUNCTION woo.sync_finish(sync_id uuid, records integer, error text DEFAULT NULL) RETURNS void
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
-- ==== end issue 12 ====

-- ==== issue 14: refunds as dated rows, canonical sales metrics, day-level rollups ====
DROP FUNCTION woo.ai_context(), woo.ai_context_jsonb(), woo.repair_analytics(uuid), woo._rebuild_analytics(uuid), woo.analytics_drift(uuid),
              woo.expected_coupon_sales_daily(uuid), woo.expected_product_sales_daily(uuid), woo.expected_sales_daily(uuid),
              woo._analytics_stores_trigger(), woo._analytics_refunds_trigger(), woo._analytics_items_trigger(),
              woo._analytics_orders_trigger(),
              woo._rollup_children(text, integer[], uuid[], uuid[], uuid[], numeric[], numeric[], timestamptz[]),
              woo._rollup_orders(integer[], uuid[], uuid[], timestamptz[], text[], numeric[], numeric[], numeric[], numeric[], text[], boolean[]),
              woo.store_timezone(uuid), woo.upsert_refunds(uuid, integer, jsonb, boolean), woo._sync_order_refunds(uuid, uuid[], jsonb[]);
-- ==== end issue 14 ====
