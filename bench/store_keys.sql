-- API key verification at the default bcrypt cost (12): woo.verify_store_key for the
-- right key, a wrong key, an unknown URL (a dummy hash) and an inactive store, against
-- pgcrypto's crypt() checking a stored hash of the same cost (the plain-SQL way).
-- One call = one bcrypt; best of 3. The ratios matter more than the figures (shared CPU).
CREATE EXTENSION IF NOT EXISTS pgcrypto;
RESET woo.bcrypt_cost;  -- the default, 12
DO $$
DECLARE
    key text := 'bench-store-api-key-0123456789abcdef';
BEGIN
    PERFORM woo.register_store('https://bench-keys.example', key);
    PERFORM woo.register_store('https://bench-keys-inactive.example', key);
    UPDATE public.stores SET is_active = false WHERE store_url = 'https://bench-keys-inactive.example';
    CREATE TABLE bench.pgcrypto_hash AS SELECT crypt(key, gen_salt('bf', 12)) AS h;
END $$;
GRANT SELECT ON bench.pgcrypto_hash TO woo_app;
DO $$ BEGIN
    IF (SELECT left(api_key_hash, 7) FROM public.stores WHERE store_url = 'https://bench-keys.example') <> '$2b$12$' THEN
        RAISE EXCEPTION 'bench: the stored hash is not at cost 12';
    END IF;
END $$;

INSERT INTO bench.results (section, label, ms, baseline, n)
SELECT 'API key check, bcrypt cost 12 (one call)', v.label,
       bench.time_ms_as(v.stmt, 'woo_app', (SELECT id FROM public.stores WHERE store_url = 'https://bench-keys.example'), 3), v.baseline, 1
  FROM (VALUES
    (1, 'plain SQL: pgcrypto crypt(key, stored $2a$ hash) = stored hash',
        $q$SELECT crypt('bench-store-api-key-0123456789abcdef', h) = h FROM bench.pgcrypto_hash$q$, true),
    (2, 'woo.verify_store_key, right key',
        $q$SELECT woo.verify_store_key('https://bench-keys.example', 'bench-store-api-key-0123456789abcdef')$q$, false),
    (3, 'woo.verify_store_key, wrong key',
        $q$SELECT woo.verify_store_key('https://bench-keys.example', 'bench-store-api-key-0123456789abcdeX')$q$, false),
    (4, 'woo.verify_store_key, unknown URL (dummy hash)',
        $q$SELECT woo.verify_store_key('https://no-such-store.example', 'bench-store-api-key-0123456789abcdef')$q$, false),
    (5, 'woo.verify_store_key, inactive store',
        $q$SELECT woo.verify_store_key('https://bench-keys-inactive.example', 'bench-store-api-key-0123456789abcdef')$q$, false)
  ) v(ord, label, stmt, baseline)
 ORDER BY v.ord;

DELETE FROM public.stores WHERE store_url LIKE 'https://bench-keys%';
DROP TABLE bench.pgcrypto_hash;
