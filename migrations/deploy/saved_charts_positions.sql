-- Deploy pg_woocommerce:saved_charts_positions to pg
-- A store's charts have dense, unique positions (0, 1, 2, ...; woo.save_chart,
-- move_chart and delete_chart keep them so). Existing rows are renumbered in
-- their current order first. DEFERRABLE (checked at the end of each statement):
-- shifting positions by one in a single UPDATE passes through duplicates.
BEGIN;

UPDATE public.saved_charts c SET position_index = r.pos
  FROM (SELECT id, (row_number() OVER (PARTITION BY store_id ORDER BY position_index NULLS LAST, created_at, id) - 1)::int AS pos
          FROM public.saved_charts) r
 WHERE c.id = r.id AND c.position_index IS DISTINCT FROM r.pos;

ALTER TABLE public.saved_charts ADD CONSTRAINT saved_charts_store_position_key
    UNIQUE (store_id, position_index) DEFERRABLE INITIALLY IMMEDIATE;

COMMIT;
