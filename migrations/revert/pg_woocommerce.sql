-- Revert pg_woocommerce:pg_woocommerce from pg
-- No CASCADE: fails loudly while anything still depends on the extension.
BEGIN;
DROP EXTENSION pg_woocommerce;
COMMIT;
