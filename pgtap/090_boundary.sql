-- The C++/PostgreSQL boundary (extension/pg/boundary.hpp) survives what it is
-- there for: a C++ exception thrown inside a region that installed its own
-- setjmp target (pg_guard, a raw PG_TRY), a PostgreSQL ERROR carried through
-- C++ frames, an ERROR caught as data, and lenient parsing re-raising what
-- is not bad input. Each answers with an ERROR and its
-- SQLSTATE, and the same backend keeps serving the session: before the
-- boundary restored PG_exception_stack / error_context_stack, the first two
-- longjmp'd into a dead frame and crashed the server.
-- woo_selftest_boundary is compiled in but declared by no extension script:
-- it exists only inside this rolled-back transaction (pg_temp, superuser).
BEGIN;
SELECT plan(12);

CREATE FUNCTION pg_temp.selftest(text) RETURNS text
    LANGUAGE c STRICT VOLATILE AS 'pg_woocommerce', 'woo_selftest_boundary';
CREATE FUNCTION pg_temp.error_context(mode text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE c text;
BEGIN
    PERFORM pg_temp.selftest(mode);
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS c = PG_EXCEPTION_CONTEXT;
    RETURN c;
END $$;
CREATE TEMP TABLE backend AS SELECT pg_backend_pid() AS pid;

SELECT throws_ok($$SELECT pg_temp.selftest('throw_in_pg_guard')$$, 'XX000', 'selftest: thrown inside pg_guard',
                 'a C++ exception thrown inside pg_guard becomes an ERROR (XX000), not a crash');
SELECT throws_ok($$SELECT pg_temp.selftest('throw_in_pg_try')$$, 'XX000', 'selftest: thrown inside PG_TRY',
                 'a C++ exception thrown inside a raw PG_TRY (PG_END_TRY skipped) becomes an ERROR, not a crash');
SELECT unalike(pg_temp.error_context('throw_in_pg_guard'), '%selftest frame%',
              'the errcontext callback of the frame the exception left is no longer on error_context_stack');
SELECT alike(pg_temp.error_context('throw_in_pg_guard'), '%pg_woocommerce function woo_selftest_boundary%',
            'the boundary names the function in the error context');
SELECT throws_ok($$SELECT pg_temp.selftest('error_in_pg_guard')$$, '22023', 'selftest: ERROR inside pg_guard',
                 'an ERROR inside pg_guard crosses C++ frames as PgError and is re-raised unchanged');
SELECT is(pg_temp.selftest('error_caught'), 'caught 22012', 'catch_pg_error returns the ERROR as data');
SELECT throws_ok($$SELECT pg_temp.selftest('lenient_parse_out_of_memory')$$, '53200', 'selftest: out of memory while parsing',
                 'lenient mode re-raises an ERROR that is not bad input (53200) instead of storing it as a reject');
SELECT throws_ok($$SELECT pg_temp.selftest('core_error')$$, '22P02', repeat('x', 1023),
                 'a core Error keeps its SQLSTATE; its message is copied without palloc (bounded buffer)');
SELECT throws_ok($$SELECT pg_temp.selftest('bad_alloc')$$, '53200', 'out of memory', 'std::bad_alloc becomes 53200');
SELECT throws_ok($$SELECT pg_temp.selftest('unknown')$$, 'XX000', 'unknown C++ exception', 'a non-std exception becomes XX000');
SELECT is(pg_temp.selftest('nothing'), 'ok', 'the function still works after all of the above');
SELECT is(pg_backend_pid(), (SELECT pid FROM backend), 'the same backend served every call: it never crashed');

SELECT * FROM finish();
ROLLBACK;
