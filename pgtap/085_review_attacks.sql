-- Review of issue 12 (attacks on the 1.5 functions): what an attacker's input makes the
-- functions write (error texts, stored rows), as woo_app / woo_onboarding under RLS.
BEGIN;
SELECT plan(40);

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

-- (a customer's address typed into a setting, a role, a chart option: the server log keeps
-- error texts; the value is shown through woo.redact_emails).
CREATE TEMP TABLE leaky (what text, stmt text);
INSERT INTO leaky VALUES
    ('a settings key', $$SELECT woo.configure_store('a0000000-0000-4000-8000-000000000000', '{"bob@example.com": 1}')$$),
    ('a time zone', $$SELECT woo.configure_store('a0000000-0000-4000-8000-000000000000', '{"timezone": "bob@example.com"}')$$),
    ('a message role', $$SELECT woo.append_message(woo.start_conversation('a0000000-0000-4000-8000-000000000000'), 'bob@example.com', 'hi')$$),
    ('a sync_cursor resource', $$SELECT woo.sync_cursor('a0000000-0000-4000-8000-000000000000', 'bob@example.com')$$),
    ('a chart type', $$SELECT woo._check_chart_config('{"type": "bob@example.com"}')$$),
    ('a chart option name', $$SELECT woo._check_chart_config('{"type": "bar", "bob@example.com": 1}')$$),
    ('a URL scheme', $$SELECT woo.normalize_store_url('bob@example.com://shop.example')$$);
GRANT SELECT ON leaky TO woo_app;
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid);
GRANT SELECT, INSERT ON ids TO woo_app;

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


-- No error text quotes an e-mail address a caller passed in clear (statements above) --------
SELECT ok(e ~ '^22023 ' AND strpos(lower(e), 'bob@example.com') = 0, what || ': 22023, the address not quoted (' || e || ')')
  FROM (SELECT what, pg_temp.err(stmt) AS e FROM leaky) l ORDER BY what;
SELECT is(pg_temp.err($$SELECT woo.configure_store('a0000000-0000-4000-8000-000000000000', '{"bob@example.com": 1}')$$),
          '22023 settings: unknown key "sha256:' || woo.hash_email('bob@example.com') || '"', 'the value is shown as its sha256: hash');

-- One spelling per site: percent-encoding normalised (RFC 3986 6.2.2), dot and empty segments refused
SELECT is(woo.normalize_store_url('https://shop.example/%7e%45u'), 'https://shop.example/~Eu', 'percent-encoded unreserved characters are decoded');
SELECT is(woo.normalize_store_url('https://shop.example/a%2fb%c3%a9'), 'https://shop.example/a%2Fb%C3%A9', 'other percent-encodings are kept, hex upper-cased');
SELECT is(woo.normalize_store_url('https://shop.example/%00'), 'https://shop.example/%00', '%00 stays encoded');
SELECT throws_ok($$SELECT woo.normalize_store_url('https://shop.example/.')$$, '22023',
                 'store_url: a path segment must not be empty, "." or ".."', 'a "." segment is refused (another spelling of the site)');
SELECT throws_ok($$SELECT woo.normalize_store_url('https://shop.example/us/../eu/')$$, '22023',
                 'store_url: a path segment must not be empty, "." or ".."', 'a ".." segment is refused');
SELECT throws_ok($$SELECT woo.normalize_store_url('https://shop.example//eu')$$, '22023',
                 'store_url: a path segment must not be empty, "." or ".."', 'an empty segment is refused');
SELECT throws_ok($$SELECT woo.normalize_store_url('https://shop.example/%2e/eu')$$, '22023',
                 'store_url: a path segment must not be empty, "." or ".."', 'a percent-encoded "." segment is refused');

-- A saved chart stores no e-mail address in clear (title, query_text, labels): refused ----
SELECT throws_ok($$SELECT woo.save_chart('a0000000-0000-4000-8000-000000000000', 'Orders of bob@example.com', 'SELECT 1', '{"type": "bar"}')$$,
                 '22023', 'title: must not contain an e-mail address (it would be stored in clear)', 'save_chart: an address in the title is refused');
SELECT throws_ok($$SELECT woo.save_chart('a0000000-0000-4000-8000-000000000000', 'Orders', 'SELECT count(*) FROM orders WHERE note = ''Bob@Example.com''', '{"type": "bar"}')$$,
                 '22023', 'query_text: must not contain an e-mail address (it would be stored in clear)', 'save_chart: an address in the query is refused');
SELECT throws_ok($$SELECT woo.save_chart('a0000000-0000-4000-8000-000000000000', 'Orders', 'SELECT 1 AS n', '{"type": "bar", "x_label": "for bob@example.com"}')$$,
                 '22023', 'chart_config.x_label: must not contain an e-mail address (it would be stored in clear)', 'save_chart: an address in a label is refused');
SELECT lives_ok($$SELECT woo.save_chart('a0000000-0000-4000-8000-000000000000', 'Tagged', 'SELECT count(*) AS n FROM products WHERE tags @> ''[]''::jsonb', '{"type": "number"}')$$,
                'a query with the jsonb @> operator is not mistaken for an address');
SELECT throws_ok($$SELECT woo.update_chart((SELECT id FROM saved_charts WHERE title = 'Tagged'), title => 'bob@example.com')$$,
                 '22023', 'title: must not contain an e-mail address (it would be stored in clear)', 'update_chart: the same check');
SELECT throws_ok($$SELECT woo.update_chart((SELECT id FROM saved_charts WHERE title = 'Tagged'), query_text => 'SELECT ''bob@example.com''')$$,
                 '22023', 'query_text: must not contain an e-mail address (it would be stored in clear)', 'update_chart: the same check on the query');
SELECT is((SELECT count(*)::int FROM saved_charts WHERE strpos(lower(title || query_text || chart_config::text), 'bob@example.com') > 0), 0,
          'no chart holds the address');

-- woo.message_max_bytes bounds what is stored: hashing addresses must not grow a message past it
-- (a model writing 'a@b a@b ...' would store 18 times the cap) ------------------------------
INSERT INTO ids VALUES ('conv', woo.start_conversation('a0000000-0000-4000-8000-000000000000'));
SELECT throws_like(format('SELECT woo.append_message(%L, %L, %L)', (SELECT id FROM ids WHERE name = 'conv'), 'assistant', repeat('a@b ', 16000)),
                   'content: 1152000 bytes with its e-mail addresses hashed, more than woo.message_max_bytes (65536)',
                   'content under the cap that its hashed addresses grow past it is refused (54000)');
SELECT throws_like(format('SELECT woo.append_message(%L, %L, %L, %L)', (SELECT id FROM ids WHERE name = 'conv'), 'tool', 'ok',
                          jsonb_build_object('to', repeat('a@b ', 16000))),
                   'meta: % bytes with its e-mail addresses hashed, more than woo.message_max_bytes (65536)',
                   'meta grown past the cap by hashing is refused too');
SELECT is((SELECT jsonb_array_length(messages) FROM conversations WHERE id = (SELECT id FROM ids WHERE name = 'conv')), 0,
          'nothing was appended');
SELECT is(woo.append_message((SELECT id FROM ids WHERE name = 'conv'), 'user', 'write to bob@example.com'), 1,
          'a message with an address, under the cap once hashed, is appended');

-- A percent-encoded address (a URL pasted from wp-admin) is an e-mail-looking string too ----
SELECT is(woo.redact_emails('see https://shop.example/wp-admin/users.php?s=Bob%40Example.com'),
          'see sha256:' || woo.hash_email('https://shop.example/wp-admin/users.php?s=Bob@Example.com'),
          'redact_emails: a word with %40 between non-spaces is hashed as decoded');
SELECT is(woo.append_message((SELECT id FROM ids WHERE name = 'conv'), 'user', 'mail bob%40example.com now'), 2,
          'a message with a percent-encoded address');
SELECT is((SELECT messages -> 1 ->> 'content' FROM conversations WHERE id = (SELECT id FROM ids WHERE name = 'conv')),
          'mail sha256:' || woo.hash_email('bob@example.com') || ' now', 'is stored with the address''s hash');

-- forget_customer also erases the address's hash from the store's conversations ------------
-- (chat stores an address as sha256:<woo.hash_email>: the same hash the customer loses)
SELECT is(woo.append_message((SELECT id FROM ids WHERE name = 'conv'), 'assistant', 'Ada (Ada.Lovelace@example.com) ordered twice'), 3,
          'a message naming the customer');
SELECT is((SELECT conversations_scrubbed FROM woo.forget_customer('a0000000-0000-4000-8000-000000000000', ' ADA.lovelace@example.com')), 1,
          'forget_customer reports one conversation scrubbed');
SELECT is((SELECT count(*)::int FROM conversations WHERE store_id = 'a0000000-0000-4000-8000-000000000000'
             AND strpos(messages::text, woo.hash_email('ada.lovelace@example.com')) > 0), 0,
          'no conversation of the store holds the forgotten address''s hash');
SELECT is((SELECT messages -> 2 ->> 'content' FROM conversations WHERE id = (SELECT id FROM ids WHERE name = 'conv')),
          'Ada (sha256:erased) ordered twice', 'the hash is replaced by sha256:erased, the rest of the message kept');
RESET ROLE;
SET LOCAL ROLE woo_onboarding;
SELECT ok(e ~ '^22023 ' AND strpos(e, 'bob@example.com') = 0, 'register_store, a plan: 22023, the address not quoted (' || e || ')')
  FROM pg_temp.err($$SELECT woo.register_store('https://c.example', repeat('k', 40), NULL, 'bob@example.com')$$) e;
SELECT throws_ok($$SELECT woo.register_store('https://shop.example/bob@example.com', repeat('k', 40))$$,
                 '22023', 'store_url: must not contain an e-mail address (it would be stored in clear)', 'a store URL with an address in its path is refused');

RESET ROLE;
-- A hash woo_app writes by hand at a huge cost must not make verification run
-- for hours: keys are hashed and verified at cost 16 at most.
SELECT is((SELECT max_val FROM pg_settings WHERE name = 'woo.bcrypt_cost'), '16',
          'woo.bcrypt_cost is at most 16, the highest cost woo.verify_store_key verifies a stored hash at');
SELECT * FROM finish();
ROLLBACK;
