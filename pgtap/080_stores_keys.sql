-- Stores and their API keys (1.5): woo.register_store (as woo_onboarding), bcrypt keys,
-- woo.verify_store_key (same answer for unknown URL, wrong key, inactive store),
-- rotate_store_key, configure_store, sync_finish -> last_sync_at, deactivate_store.
-- Every call is made as a plain member role (RLS applies); the superuser only sets fixtures.
BEGIN;
SELECT plan(50);

-- Cheap hashes for the suite (a superuser-only setting; the default, 12, is checked below).
SET LOCAL woo.bcrypt_cost = 4;
CREATE TEMP TABLE k (name text PRIMARY KEY, v text);
GRANT SELECT ON k TO woo_app, woo_onboarding;
INSERT INTO k VALUES ('one', 'key-one-0123456789abcdefghijklmnopqrstu'),      -- 39 bytes
                     ('two', 'key-two-0123456789abcdefghijklmnopqrstu'),
                     ('max', repeat('m', 72)),
                     ('new', 'key-new-0123456789abcdefghijklmnopqrstu');

-- register_store, as the onboarding role -------------------------------------------------
SET LOCAL ROLE woo_onboarding;
SELECT lives_ok($$SELECT woo.register_store('HTTPS://Shop-One.Example:443/', (SELECT v FROM k WHERE name = 'one'), '9.1.0', 'pro',
                                            '{"timezone": "Europe/Paris"}')$$,
                'woo_onboarding registers a store');
SELECT lives_ok($$SELECT woo.register_store('https://shop-two.example/eu/', (SELECT v FROM k WHERE name = 'two'))$$,
                'woo_onboarding registers a second store (defaults: plan free, settings {})');
SELECT lives_ok($$SELECT woo.register_store('https://shop-max.example', (SELECT v FROM k WHERE name = 'max'))$$,
                'a key of exactly 72 bytes is accepted');
SELECT throws_ok($$SELECT woo.register_store('https://shop-one.example', (SELECT v FROM k WHERE name = 'two'))$$,
                 '23505', 'woo.register_store: a store is already registered for https://shop-one.example',
                 'another spelling of a registered URL is the same store (23505)');
SELECT throws_ok($$SELECT woo.register_store('https://shop-three.example', (SELECT v FROM k WHERE name = 'two'), NULL, 'gold')$$,
                 '22023', 'woo.register_store: plan "gold" is not one of free, starter, pro, agency', 'an unknown plan is refused');
SELECT throws_ok($$SELECT woo.register_store('https://shop-three.example', 'short-secret')$$,
                 '22023', 'api_key: must be 32 to 72 bytes long, not 12', 'a key under 32 bytes is refused, the key not quoted');
SELECT throws_ok($$SELECT woo.register_store('https://shop-three.example', repeat('z', 73))$$,
                 '22023', 'api_key: must be 32 to 72 bytes long, not 73 (bcrypt would ignore every byte after the 72nd)',
                 'a key over 72 bytes is refused (bcrypt would ignore the rest)');
SELECT throws_ok($$SELECT woo.register_store('https://admin:pw@shop-three.example', (SELECT v FROM k WHERE name = 'two'))$$,
                 '22023', 'store_url: must not carry credentials (user@ or user:password@)', 'a URL with credentials is refused');
SELECT throws_ok($$SELECT woo.register_store('https://shop-three.example/?utm=1', (SELECT v FROM k WHERE name = 'two'))$$,
                 '22023', 'store_url: must not have a query (?) or a fragment (#)', 'a URL with a query is refused');
SELECT throws_ok($$SELECT woo.register_store('ftp://shop-three.example', (SELECT v FROM k WHERE name = 'two'))$$,
                 '22023', 'store_url: scheme must be http or https, not "ftp"', 'a non-http(s) URL is refused');
SELECT throws_ok($$SELECT woo.register_store('https://shop-three.example', (SELECT v FROM k WHERE name = 'two'), NULL, 'free', '{"colour": "red"}')$$,
                 '22023', 'settings: unknown key "colour"', 'an unknown settings key is refused');
SELECT throws_ok($$SELECT woo.register_store('https://shop-three.example', (SELECT v FROM k WHERE name = 'two'), NULL, 'free', '{"timezone": "Mars/Olympus"}')$$,
                 '22023', 'settings.timezone: "Mars/Olympus" is not a time zone name PostgreSQL knows', 'an unknown time zone is refused');
SELECT throws_ok($$SELECT count(*) FROM public.stores$$, '42501', 'permission denied for table stores',
                 'woo_onboarding cannot read stores');
SELECT throws_ok($$SELECT woo.verify_store_key('https://shop-one.example', 'x')$$, '42501',
                 'permission denied for function verify_store_key', 'woo_onboarding cannot verify keys');
RESET ROLE;

SELECT results_eq($$SELECT store_url::text, plan::text, wc_version::text, settings FROM stores ORDER BY store_url$$,
                  $$VALUES ('https://shop-max.example', 'free', NULL, '{}'::jsonb),
                           ('https://shop-one.example', 'pro', '9.1.0', '{"timezone": "Europe/Paris"}'),
                           ('https://shop-two.example/eu', 'free', NULL, '{}')$$,
                  'stored: normalised URLs, plan, wc_version, settings');
SELECT ok((SELECT bool_and(api_key_hash ~ '^\$2b\$04\$[./A-Za-z0-9]{53}$') FROM stores),
          'api_key_hash is a bcrypt $2b$ hash at woo.bcrypt_cost (here 4)');
SELECT ok((SELECT bool_and(strpos(row_to_json(s)::text, k.v) = 0) FROM stores s, k),
          'no key appears in any column of stores');
SELECT results_eq($$SELECT boot_val, context FROM pg_settings WHERE name = 'woo.bcrypt_cost'$$,
                  $$VALUES ('12'::text, 'superuser'::text)$$, 'woo.bcrypt_cost defaults to 12 and is superuser-only');

CREATE TEMP TABLE ids AS SELECT store_url::text AS url, id FROM stores;
GRANT SELECT ON ids TO woo_app;

-- verify_store_key, as the application -----------------------------------------------
SET LOCAL ROLE woo_app;
SELECT is(woo.verify_store_key('https://shop-one.example', (SELECT v FROM k WHERE name = 'one')),
          (SELECT id FROM ids WHERE url = 'https://shop-one.example'), 'the right key gives the store id');
SELECT is(woo.verify_store_key('HTTPS://SHOP-ONE.EXAMPLE/', (SELECT v FROM k WHERE name = 'one')),
          (SELECT id FROM ids WHERE url = 'https://shop-one.example'), 'any spelling of the URL verifies');
SELECT is(woo.verify_store_key('https://shop-max.example', (SELECT v FROM k WHERE name = 'max')),
          (SELECT id FROM ids WHERE url = 'https://shop-max.example'), 'a 72-byte key verifies');
SELECT is(woo.verify_store_key('https://shop-max.example', (SELECT v FROM k WHERE name = 'max') || 'extra'), NULL,
          'the 72-byte key plus more bytes does not verify (bcrypt would have ignored them)');
SELECT is(woo.verify_store_key('https://shop-two.example/eu', 'short'), NULL, 'a key of the wrong length is NULL, not an error');
SELECT throws_ok($$SELECT woo.verify_store_key('https://shop-one.example?x', 'k')$$, '22023',
                 'store_url: must not have a query (?) or a fragment (#)', 'a malformed URL is an error (it says nothing about stores)');
SELECT is(woo.verify_store_key('https://shop-one.example', NULL), NULL, 'NULL in, NULL out (STRICT)');

-- rotate_store_key ------------------------------------------------------------------------
SELECT woo.set_store((SELECT id FROM ids WHERE url = 'https://shop-one.example'));
SELECT lives_ok($$SELECT woo.rotate_store_key((SELECT id FROM ids WHERE url = 'https://shop-one.example'), (SELECT v FROM k WHERE name = 'new'))$$,
                'woo_app rotates the bound store''s key');
SELECT is(woo.verify_store_key('https://shop-one.example', (SELECT v FROM k WHERE name = 'one')), NULL, 'the old key no longer verifies');
SELECT is(woo.verify_store_key('https://shop-one.example', (SELECT v FROM k WHERE name = 'new')),
          (SELECT id FROM ids WHERE url = 'https://shop-one.example'), 'the new key verifies');
SELECT throws_ok($$SELECT woo.rotate_store_key((SELECT id FROM ids WHERE url = 'https://shop-one.example'), 'tiny')$$,
                 '22023', 'new_key: must be 32 to 72 bytes long, not 4', 'a new key of the wrong length is refused');
SELECT throws_ok($$SELECT woo.rotate_store_key((SELECT id FROM ids WHERE url = 'https://shop-two.example/eu'), (SELECT v FROM k WHERE name = 'new'))$$,
                 '42501', NULL, 'another store''s key cannot be rotated');
SELECT throws_ok($$SET woo.bcrypt_cost = 5$$, '42501', 'permission denied to set parameter "woo.bcrypt_cost"',
                 'woo_app cannot change the bcrypt cost');

-- configure_store ---------------------------------------------------------------------------
SELECT is(woo.configure_store((SELECT id FROM ids WHERE url = 'https://shop-one.example'), '{"excluded_statuses": ["failed", "trash"]}'),
          '{"timezone": "Europe/Paris", "excluded_statuses": ["failed", "trash"]}'::jsonb, 'configure_store merges and returns the settings');
SELECT is(woo.excluded_statuses((SELECT id FROM ids WHERE url = 'https://shop-one.example')), ARRAY['failed', 'trash'],
          'the metrics read the configured excluded_statuses');
SELECT is(woo.configure_store((SELECT id FROM ids WHERE url = 'https://shop-one.example'), '{"timezone": null}'),
          '{"excluded_statuses": ["failed", "trash"]}'::jsonb, 'a null value removes a key');
SELECT throws_ok($$SELECT woo.configure_store((SELECT id FROM ids WHERE url = 'https://shop-one.example'), '{"excluded_statuses": "failed"}')$$,
                 '22023', 'settings.excluded_statuses: must be an array of order statuses, not string', 'excluded_statuses must be an array');
SELECT throws_ok($$SELECT woo.configure_store((SELECT id FROM ids WHERE url = 'https://shop-one.example'), '{"excluded_statuses": [1]}')$$,
                 '22023', 'settings.excluded_statuses: every element must be an order status (a string of 1 to 50 characters)',
                 'excluded_statuses must hold strings');
SELECT throws_ok($$SELECT woo.configure_store((SELECT id FROM ids WHERE url = 'https://shop-one.example'), '{"timezone": 5}')$$,
                 '22023', 'settings.timezone: must be a string (an IANA time zone name), not number', 'timezone must be a string');
SELECT throws_ok($$SELECT woo.configure_store((SELECT id FROM ids WHERE url = 'https://shop-one.example'), '{"webhook_secret": "s"}')$$,
                 '22023', 'settings: unknown key "webhook_secret"', 'unknown keys are refused');
SELECT throws_ok($$SELECT woo.configure_store((SELECT id FROM ids WHERE url = 'https://shop-two.example/eu'), '{}')$$,
                 '42501', NULL, 'another store cannot be configured');

-- sync_finish sets last_sync_at ----------------------------------------------------------------
SELECT is((SELECT last_sync_at FROM stores), NULL, 'a new store has no last_sync_at');
SELECT woo.sync_finish(woo.sync_start((SELECT id FROM ids WHERE url = 'https://shop-one.example'), 'orders'), 0, 'timeout');
SELECT is((SELECT last_sync_at FROM stores), NULL, 'a failed sync does not set last_sync_at');
SELECT woo.sync_finish(woo.sync_start((SELECT id FROM ids WHERE url = 'https://shop-one.example'), 'full'), 12);
SELECT is((SELECT last_sync_at FROM stores), now(), 'a completed sync sets last_sync_at');

-- deactivate_store ---------------------------------------------------------------------------
SELECT lives_ok($$SELECT woo.upsert_coupons((SELECT id FROM ids WHERE url = 'https://shop-one.example'),
                                            '{"id": 1, "code": "spring", "amount": "5.00"}')$$, 'an active store ingests');
SELECT throws_ok($$SELECT woo.deactivate_store((SELECT id FROM ids WHERE url = 'https://shop-two.example/eu'))$$,
                 '42501', NULL, 'another store cannot be deactivated');
SELECT lives_ok($$SELECT woo.deactivate_store((SELECT id FROM ids WHERE url = 'https://shop-one.example'))$$, 'woo_app deactivates its store');
SELECT is((SELECT is_active FROM stores), false, 'is_active is false');
SELECT throws_ok($$SELECT woo.upsert_coupons((SELECT id FROM ids WHERE url = 'https://shop-one.example'),
                                             '{"id": 2, "code": "summer", "amount": "5.00"}')$$,
                 '55000', format('store %s is deactivated: ingestion and webhooks are refused', (SELECT id FROM ids WHERE url = 'https://shop-one.example')),
                 'ingestion for a deactivated store is refused with a clear error');
SELECT throws_ok($$SELECT woo.apply_webhook((SELECT id FROM ids WHERE url = 'https://shop-one.example'), 'coupon.deleted', '{"id": 1}')$$,
                 '55000', format('store %s is deactivated: ingestion and webhooks are refused', (SELECT id FROM ids WHERE url = 'https://shop-one.example')),
                 'webhooks for a deactivated store are refused');
SELECT is((SELECT count(*) FROM coupons), 1::bigint, 'reads keep working');
SELECT is(ARRAY[woo.verify_store_key('https://shop-one.example', (SELECT v FROM k WHERE name = 'new')),    -- inactive store, right key
                woo.verify_store_key('https://shop-two.example/eu', (SELECT v FROM k WHERE name = 'one')), -- wrong key
                woo.verify_store_key('https://nowhere.example', (SELECT v FROM k WHERE name = 'new'))],    -- unknown URL
          ARRAY[NULL, NULL, NULL]::uuid[],
          'inactive store, wrong key and unknown URL give the same answer: NULL');

SELECT * FROM finish();
ROLLBACK;
