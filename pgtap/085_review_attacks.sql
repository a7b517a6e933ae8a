-- Review of issue 12 (attacks on the 1.5 functions): what an attacker's input makes the
-- functions write (error texts, stored rows), as woo_app / woo_onboarding under RLS.
BEGIN;
SELECT plan(4);

INSERT INTO stores (id, store_url, api_key_hash) VALUES
    ('a0000000-0000-4000-8000-000000000000', 'https://a.example', 'x');

-- SQLSTATE and message a statement raises, or 'ok'.
CREATE FUNCTION pg_temp.err(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
-- Whether a text is valid UTF-8 (convert_from verifies it).
CREATE FUNCTION pg_temp.valid_utf8(t text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM convert_from(convert_to(t, 'UTF8'), 'UTF8');
    RETURN true;
EXCEPTION WHEN character_not_in_repertoire OR untranslatable_character THEN
    RETURN false;
END $$;

SET LOCAL ROLE woo_app;
SELECT woo.set_store('a0000000-0000-4000-8000-000000000000');

-- Error texts quote at most 40 bytes of a value: never half a UTF-8 character ------------
SELECT ok(pg_temp.valid_utf8(pg_temp.err(format('SELECT woo._check_chart_config(%L)',
              jsonb_build_object('type', repeat('a', 39) || 'é')))),
          'an unknown chart type cut at 40 bytes is still valid UTF-8');
SELECT is(pg_temp.err(format('SELECT woo._check_chart_config(%L)', jsonb_build_object('type', repeat('a', 39) || 'é'))),
          '22023 chart_config.type: "' || repeat('a', 39) || '" is not a chart type (area, bar, donut, line, number, pie, scatter, table)',
          'the cut falls before the character that does not fit');
SELECT ok(pg_temp.valid_utf8(pg_temp.err(format('SELECT woo._check_chart_config(%L)',
              jsonb_build_object('type', 'bar', repeat('k', 38) || '€', 1)))),
          'an unknown option name cut at 40 bytes is still valid UTF-8');
SELECT is(pg_temp.err(format('SELECT woo._check_chart_config(%L)', jsonb_build_object('type', 'bar', repeat('k', 38) || '€', 1))),
          '22023 chart_config: unknown option "' || repeat('k', 38) || '" (allowed: type, x, y, series, x_label, y_label, stacked, legend, colors, sort)',
          'an option name is cut before a three-byte character that does not fit');

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
