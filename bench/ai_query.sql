-- woo.ai_query overhead: a small aggregate (status totals of one store's 1,000 orders)
-- asked through woo.ai_query, against the same SELECT run directly as woo_app (parsed and
-- planned each time, as an application sending it would), 200 calls per timing; per-call ms.
-- Goal: woo.ai_query costs at most 1 ms more per call. Run on the never-analysed tables,
-- then again after ANALYZE.
SET max_parallel_workers_per_gather = 0;

INSERT INTO public.stores (id, store_url, api_key_hash)
VALUES ('00000000-0000-4000-8000-0000000000a1', 'https://ai-bench.example', 'x');
INSERT INTO public.orders (store_id, wc_order_id, date_created, status, total)
SELECT '00000000-0000-4000-8000-0000000000a1', n, timestamptz '2023-01-01' + (n % 365) * interval '1 day',
       (ARRAY['processing', 'completed', 'on-hold', 'refunded', 'cancelled'])[n % 5 + 1], (n % 997) / 10.0
  FROM generate_series(1, 1000) n;

CREATE OR REPLACE FUNCTION bench.ai_query_rows(analysed text) RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
    q constant text := 'SELECT status, count(*) AS n, sum(total) AS total FROM orders GROUP BY status ORDER BY status';
    direct numeric;
    through numeric;
    section text := format('woo.ai_query: status totals of a 1,000-order store, per call (%s)', analysed);
BEGIN
    direct := bench.time_ms_as(format('DO %L', format('BEGIN FOR i IN 1..200 LOOP EXECUTE %L; END LOOP; END', q)),
                               'woo_app', '00000000-0000-4000-8000-0000000000a1');
    through := bench.time_ms_as(format('DO %L', format('BEGIN FOR i IN 1..200 LOOP PERFORM * FROM woo.ai_query(%L); END LOOP; END', q)),
                                'woo_app', '00000000-0000-4000-8000-0000000000a1');
    INSERT INTO bench.results (section, label, ms, baseline, n) VALUES
        (section, 'the SELECT run directly as woo_app (through RLS)', round(direct / 200, 3), true, NULL),
        (section, format('woo.ai_query(the same SELECT): %s ms more per call (goal <= 1 ms)', round((through - direct) / 200, 3)),
         round(through / 200, 3), false, NULL);
END $f$;

SELECT bench.ai_query_rows('never analysed');
ANALYZE public.stores, public.orders;
SELECT bench.ai_query_rows('analysed');

-- Guard: both return the same rows.
DO $$
DECLARE
    a jsonb;
    b jsonb;
BEGIN
    PERFORM set_config('woo.store_id', '00000000-0000-4000-8000-0000000000a1', true);
    SET LOCAL ROLE woo_app;
    SELECT jsonb_agg(to_jsonb(q)) INTO a FROM (SELECT status, count(*) AS n, sum(total) AS total FROM orders GROUP BY status ORDER BY status) q;
    SELECT jsonb_agg(r) INTO b FROM woo.ai_query('SELECT status, count(*) AS n, sum(total) AS total FROM orders GROUP BY status ORDER BY status') r;
    IF a IS DISTINCT FROM b THEN RAISE EXCEPTION 'ai_query bench: results differ: % vs %', a, b; END IF;
    RESET ROLE;
END $$;
DROP FUNCTION bench.ai_query_rows(text);
DELETE FROM public.orders WHERE store_id = '00000000-0000-4000-8000-0000000000a1';
DELETE FROM public.stores WHERE id = '00000000-0000-4000-8000-0000000000a1';
