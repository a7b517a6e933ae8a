-- woo.hash_email over 1,000,000 generated addresses, against the plain-SQL
-- expression and pgcrypto's digest(). Single backend, no parallel workers.
SET max_parallel_workers_per_gather = 0;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
DROP TABLE IF EXISTS bench.emails;
CREATE UNLOGGED TABLE bench.emails AS
SELECT format('  Customer.%s+shop%s@Example%s.COM ', g, g % 97, g % 1000) AS e
  FROM generate_series(1, 1000000) g;
VACUUM ANALYZE bench.emails;

-- Guard: the contenders compute the same thing on this data.
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM bench.emails
                WHERE woo.hash_email(e) IS DISTINCT FROM encode(sha256(convert_to(lower(btrim(e)), 'UTF8')), 'hex')
                LIMIT 1) THEN
        RAISE EXCEPTION 'woo.hash_email disagrees with the plain-SQL expression';
    END IF;
END $$;

INSERT INTO bench.results (section, label, ms, baseline) VALUES
 ('hash_email, 1M rows', 'scan only: count(e)',
    bench.time_ms('SELECT count(e) FROM bench.emails'), false),
 ('hash_email, 1M rows', 'plain SQL: encode(sha256(convert_to(lower(btrim(e)),''UTF8'')),''hex'')',
    bench.time_ms('SELECT count(encode(sha256(convert_to(lower(btrim(e)), ''UTF8'')), ''hex'')) FROM bench.emails'), true),
 ('hash_email, 1M rows', 'pgcrypto: encode(digest(lower(btrim(e)),''sha256''),''hex'')',
    bench.time_ms('SELECT count(encode(digest(convert_to(lower(btrim(e)), ''UTF8''), ''sha256''), ''hex'')) FROM bench.emails'), false),
 ('hash_email, 1M rows', 'woo.hash_email(e)',
    bench.time_ms('SELECT count(woo.hash_email(e)) FROM bench.emails'), false),
 ('hash_email, 1M rows', 'woo.hash_email(e, true)  [gmail canonical]',
    bench.time_ms('SELECT count(woo.hash_email(e, true)) FROM bench.emails'), false);
