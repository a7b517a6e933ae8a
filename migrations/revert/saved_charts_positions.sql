-- Revert pg_woocommerce:saved_charts_positions from pg
-- (positions renumbered by the deploy stay as they are)
BEGIN;
ALTER TABLE public.saved_charts DROP CONSTRAINT saved_charts_store_position_key;
COMMIT;
