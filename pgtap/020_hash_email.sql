-- woo.hash_email / woo.normalize_email: results, NULL rules, and honest markings.
BEGIN;
SELECT plan(40);

-- Signatures and markings ----------------------------------------------------
SELECT has_function('woo', 'hash_email', ARRAY['text'], 'woo.hash_email(text) exists');
SELECT has_function('woo', 'hash_email', ARRAY['text', 'boolean'], 'woo.hash_email(text, boolean) exists');
SELECT has_function('woo', 'normalize_email', ARRAY['text'], 'woo.normalize_email(text) exists');
SELECT has_function('woo', 'normalize_email', ARRAY['text', 'boolean'], 'woo.normalize_email(text, boolean) exists');
SELECT function_returns('woo', 'hash_email', ARRAY['text'], 'text');
SELECT function_lang_is('woo', 'hash_email', ARRAY['text'], 'c');
SELECT volatility_is('woo', 'hash_email', ARRAY['text'], 'immutable');
SELECT volatility_is('woo', 'hash_email', ARRAY['text', 'boolean'], 'immutable');
SELECT volatility_is('woo', 'normalize_email', ARRAY['text'], 'immutable');
SELECT volatility_is('woo', 'normalize_email', ARRAY['text', 'boolean'], 'immutable');
SELECT is_strict('woo', 'hash_email', ARRAY['text']);
SELECT is_strict('woo', 'hash_email', ARRAY['text', 'boolean']);
SELECT is_strict('woo', 'normalize_email', ARRAY['text']);
SELECT is_strict('woo', 'normalize_email', ARRAY['text', 'boolean']);
SELECT is(
    (SELECT array_agg(DISTINCT proparallel) FROM pg_proc
      WHERE pronamespace = 'woo'::regnamespace AND proname IN ('hash_email', 'normalize_email')),
    ARRAY['s']::"char"[],
    'every hash/normalise function is PARALLEL SAFE');

-- Known digests (computed with coreutils sha256sum) ---------------------------
SELECT is(woo.hash_email('test@example.com'),
          '973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b', 'plain ASCII address');
SELECT is(woo.hash_email(E'  Jane.Doe@EXAMPLE.com\t\r\n'),
          '86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d', 'trimmed and lower-cased');
SELECT is(woo.hash_email(chr(11) || chr(12) || 'TEST@example.com' || chr(11)),
          '973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b', 'vertical tab and form feed are trimmed');
SELECT is(woo.hash_email('Josй@Exämple.com'), encode(sha256(convert_to('josй@exämple.com', 'UTF8')), 'hex'),
          'non-ASCII bytes are hashed as UTF-8 and not case-folded');
SELECT is(woo.hash_email('ÉLODIE@Example.com'),
          'a859b6928109fc1e6d5691281cfc9cd47da581a184321187cddce7e3bdada9cd', 'É stays upper case: ASCII lower-casing only');
SELECT is(length(woo.hash_email('a@b')), 64, 'hash is 64 characters');
SELECT matches(woo.hash_email('A@B'), '^[0-9a-f]{64}$', 'hash is lowercase hex');

-- Same result as the plain-SQL expression for ASCII input ---------------------
SELECT is(
    (SELECT count(*) FROM generate_series(1, 2000) g,
            LATERAL (SELECT format('  User.%s+Tag@Example%s.COM ', g, g % 7) AS e) x
      WHERE woo.hash_email(e) IS DISTINCT FROM encode(sha256(convert_to(lower(btrim(e)), 'UTF8')), 'hex')),
    0::bigint, '2000 generated addresses match encode(sha256(convert_to(lower(btrim(e)),''UTF8'')),''hex'')');

-- NULL rules -------------------------------------------------------------------
SELECT is(woo.hash_email(NULL), NULL, 'NULL in, NULL out');
SELECT is(woo.hash_email(''), NULL, 'empty string has no hash');
SELECT is(woo.hash_email(E' \t\r\n' || chr(11) || chr(12) || ' '), NULL, 'whitespace-only address has no hash');
SELECT is(woo.hash_email('a@gmail.com', NULL), NULL, 'NULL flag: NULL (STRICT)');
SELECT is(woo.normalize_email(''), NULL, 'normalize_email of empty is NULL');
SELECT is(woo.normalize_email('   '), NULL, 'normalize_email of blanks is NULL');

-- Gmail canonical form ---------------------------------------------------------
SELECT is(woo.normalize_email('John.Smith+News@Gmail.com', true), 'johnsmith@gmail.com', 'dots and +tag removed');
SELECT is(woo.normalize_email('john.smith+news@googlemail.com', true), 'johnsmith@gmail.com', 'googlemail.com -> gmail.com');
SELECT is(woo.normalize_email('john.smith+news@example.com', true), 'john.smith+news@example.com', 'other domains untouched');
SELECT is(woo.normalize_email('John.Smith+News@Gmail.com', false), 'john.smith+news@gmail.com', 'flag off: no canonical form');
SELECT is(woo.normalize_email('John.Smith+News@Gmail.com'), 'john.smith+news@gmail.com', 'one-argument form: no canonical form');
SELECT is(woo.hash_email('John.Smith+News@Gmail.com', true),
          '3586de92bb3636d0885a12eff961429a32e4ebd764b96f50d85d016f9338d586', 'canonical hash = sha256(johnsmith@gmail.com)');
SELECT is(woo.hash_email('johnsmith@googlemail.com', true), woo.hash_email('j.o.h.n.smith+x@gmail.com', true),
          'googlemail and dotted/tagged gmail hash alike');
SELECT isnt(woo.hash_email('john.smith@gmail.com', false), woo.hash_email('john.smith@gmail.com', true),
          'flag changes the hash of a dotted gmail address');
SELECT is(woo.hash_email('a@b', true), woo.hash_email('a@b'), 'flag is harmless elsewhere');

-- Usable in an index and in parallel plans (IMMUTABLE) ------------------------
CREATE TEMP TABLE emails AS SELECT format('u%s@example.com', g) AS e FROM generate_series(1, 100) g;
CREATE INDEX ON emails (woo.hash_email(e));
SELECT is((SELECT count(*) FROM emails WHERE woo.hash_email(e) = woo.hash_email(' U42@Example.com')), 1::bigint,
          'expression index on woo.hash_email finds a row');
SELECT is(woo.hash_email(repeat('A', 100000) || '@x.com'), encode(sha256(convert_to(repeat('a', 100000) || '@x.com', 'UTF8')), 'hex'),
          '100 kB address hashes correctly');

SELECT * FROM finish();
ROLLBACK;
