-- Deploy pg_woocommerce:extension_1_5 to pg
-- pg_woocommerce 1.5. Each issue's part is delimited by "-- ==== issue N" markers.
BEGIN;
ALTER EXTENSION pg_woocommerce UPDATE TO '1.5';

-- ==== issue 12: stores, API keys, saved charts, conversations, store lifecycle ====
-- Who may call what (README, "Roles"). Functions marked SECURITY DEFINER run as
-- the extension's owner; everything else runs as its caller, under RLS.
GRANT USAGE ON SCHEMA woo TO woo_onboarding;
GRANT EXECUTE ON FUNCTION woo.register_store(text, text, text, text, jsonb), woo.normalize_store_url(text) TO woo_onboarding;
GRANT EXECUTE ON FUNCTION woo.normalize_store_url(text), woo.verify_store_key(text, text), woo.rotate_store_key(uuid, text),
                          woo._hash_api_key(text, text), woo._check_store_settings(jsonb), woo.configure_store(uuid, jsonb),
                          woo.deactivate_store(uuid), woo.forget_customer(uuid, text),
                          woo.check_ai_query(text), woo._check_chart_config(jsonb), woo._check_chart_fields(text, text, jsonb),
                          woo.save_chart(uuid, text, text, jsonb, integer), woo.update_chart(uuid, text, text, jsonb),
                          woo.run_chart(uuid, integer), woo.delete_chart(uuid), woo.move_chart(uuid, integer),
                          woo.redact_emails(text), woo._redact_emails_jsonb(jsonb), woo.start_conversation(uuid), woo.append_message(uuid, text, text, jsonb),
                          woo.sync_cursor(uuid, text) TO woo_app;
GRANT EXECUTE ON FUNCTION woo.purge_store(uuid) TO woo_owner;
-- ==== end issue 12 ====

-- ==== issue 9: woo.ai_query budgets ====
-- woo.ai_query runs the model's SQL as woo_ai, with its expressions wrapped in woo._checkpoint.
GRANT EXECUTE ON FUNCTION woo._checkpoint(anyelement) TO woo_ai;
-- ==== end issue 9 ====
COMMIT;
