-- Benchmark harness: best-of-N wall time of a statement, measured in the server.
CREATE SCHEMA IF NOT EXISTS bench;

CREATE OR REPLACE FUNCTION bench.time_ms(stmt text, runs int DEFAULT 3) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
    best numeric;
    t0 timestamptz;
    ms numeric;
BEGIN
    FOR i IN 1..runs LOOP
        t0 := clock_timestamp();
        EXECUTE stmt;
        ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
        best := least(best, ms);
    END LOOP;
    RETURN round(best, 1);
END $$;

-- Best of `runs` wall times of `stmt`, run as `role` with `store` bound.
CREATE OR REPLACE FUNCTION bench.time_ms_as(stmt text, role text, store uuid, runs int DEFAULT 5) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
    best numeric;
    t0 timestamptz;
BEGIN
    PERFORM set_config('woo.store_id', store::text, true);
    EXECUTE format('SET LOCAL ROLE %I', role);
    FOR i IN 1..runs LOOP
        t0 := clock_timestamp();
        EXECUTE stmt;
        best := least(best, extract(epoch FROM clock_timestamp() - t0) * 1000);
    END LOOP;
    RESET ROLE;
    RETURN round(best, 2);
END $$;

-- One result line per measured contender, printed at the end of a section.
CREATE TABLE IF NOT EXISTS bench.results (
    section  text,
    label    text,
    ms       numeric,
    baseline boolean DEFAULT false,
    n        bigint,          -- records processed, for a rate
    ord      serial
);
GRANT USAGE ON SCHEMA bench TO woo_app;
