-- Row-level security overhead: the same aggregate over one store of 1,000,000
-- orders in 100 stores, as woo_app through RLS (no WHERE store_id) against the
-- owner's explicit WHERE store_id = ... (superuser, RLS bypassed).
SET max_parallel_workers_per_gather = 0;

INSERT INTO public.stores (id, store_url, api_key_hash)
SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(s), 12, '0'))::uuid, 'https://rls-' || s || '.example', 'x'
  FROM generate_series(1, 100) s
ON CONFLICT DO NOTHING;
INSERT INTO public.orders (store_id, wc_order_id, date_created, status, total)
SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(n % 100 + 1), 12, '0'))::uuid, n,
       timestamptz '2023-01-01' + (n % 730) * interval '1 day',
       (ARRAY['processing', 'completed', 'on-hold', 'refunded', 'cancelled'])[n % 5 + 1], (n % 997) / 10.0
  FROM generate_series(1, 1000000) n;
VACUUM ANALYZE orders;

INSERT INTO bench.results (section, label, ms, baseline, n) VALUES
 ('RLS: status totals of one store (10,000 of 1,000,000 orders, 100 stores)',
  'owner: ... WHERE store_id = $1 (RLS bypassed)',
  bench.time_ms_as($$SELECT status, count(*), sum(total) FROM public.orders
                     WHERE store_id = '00000000-0000-4000-8000-00000000002a' AND date_created >= '2023-06-01' GROUP BY status$$,
                   'postgres', '00000000-0000-4000-8000-00000000002a'), true, NULL),
 ('RLS: status totals of one store (10,000 of 1,000,000 orders, 100 stores)',
  'woo_app through RLS (no WHERE store_id)',
  bench.time_ms_as($$SELECT status, count(*), sum(total) FROM public.orders
                     WHERE date_created >= '2023-06-01' GROUP BY status$$,
                   'woo_app', '00000000-0000-4000-8000-00000000002a'), false, NULL);

-- Guard: both see the same rows.
DO $$ BEGIN
    PERFORM set_config('woo.store_id', '00000000-0000-4000-8000-00000000002a', true);
    SET LOCAL ROLE woo_app;
    IF (SELECT count(*) FROM public.orders) <> 10000 THEN RAISE EXCEPTION 'RLS bench: woo_app does not see exactly one store'; END IF;
    RESET ROLE;
END $$;
DELETE FROM public.orders WHERE store_id IN (SELECT id FROM public.stores WHERE store_url LIKE 'https://rls-%');
DELETE FROM public.stores WHERE store_url LIKE 'https://rls-%';
