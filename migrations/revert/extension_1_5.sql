-- Revert pg_woocommerce:extension_1_5 from pg
BEGIN;
-- ==== issue 12: stores, API keys, saved charts, conversations, store lifecycle ====
-- (the 1.5 functions and their grants go with the downgrade)
REVOKE USAGE ON SCHEMA woo FROM woo_onboarding;
-- ==== end issue 12 ====
ALTER EXTENSION pg_woocommerce UPDATE TO '1.4';
COMMIT;
