-- The store's lifecycle (1.5): woo.forget_customer (GDPR erasure, as woo_app under RLS)
-- and woo.purge_store (owner only: every row of the store in every table, its AI logins).
BEGIN;
SELECT plan(26);

INSERT INTO stores (id, store_url, api_key_hash) VALUES
    ('a0000000-0000-4000-8000-000000000000', 'https://a.example', 'x'),
    ('b0000000-0000-4000-8000-000000000000', 'https://b.example', 'x');
CREATE TEMP TABLE fx (name text PRIMARY KEY, body jsonb);
GRANT SELECT ON fx TO woo_app;
INSERT INTO fx VALUES ('orders', $json$[
 {"id": 1, "status": "completed", "date_created_gmt": "2024-03-10T09:00:00", "date_modified_gmt": "2024-03-10T09:05:00",
  "total": "20.00", "customer_id": 42, "billing": {"first_name": "Ada", "last_name": "Lovelace", "email": "Ada.Lovelace@Example.com"},
  "line_items": [{"id": 1, "name": "Tee", "product_id": 70, "quantity": 1, "subtotal": "20.00", "total": "20.00"}]},
 {"id": 2, "status": "completed", "date_created_gmt": "2024-03-11T09:00:00", "date_modified_gmt": "2024-03-11T09:05:00",
  "total": "10.00", "customer_id": 0, "billing": {"first_name": "Guest", "last_name": "Buyer", "email": "guest@example.org"},
  "line_items": []},
 {"id": 3, "status": "completed", "date_created_gmt": "2024-03-12T09:00:00", "date_modified_gmt": "2024-03-12T09:05:00",
  "total": "5.00", "customer_id": 0, "billing": {"first_name": "John", "last_name": "Smith", "email": "johnsmith@gmail.com"},
  "line_items": []},
 {"id": 4, "status": "completed", "date_created_gmt": "2024-03-12T09:00:00", "total": "1,00", "customer_id": 42,
  "billing": {"email": "ada.lovelace@example.com"}},
 {"id": 5, "status": "completed", "date_created_gmt": "2024-03-12T09:00:00", "total": "1,00", "customer_id": 0,
  "billing": {"email": "other@example.net"}}
]$json$);

SET LOCAL ROLE woo_app;
-- Store B: the same people, and things to purge later.
SELECT woo.set_store('b0000000-0000-4000-8000-000000000000');
SELECT woo.upsert_orders('b0000000-0000-4000-8000-000000000000', (SELECT body FROM fx), false);
SELECT woo.set_store('a0000000-0000-4000-8000-000000000000');
SELECT woo.upsert_orders('a0000000-0000-4000-8000-000000000000', (SELECT body FROM fx), false);

-- forget_customer ------------------------------------------------------------------------------
SELECT is((SELECT count(*) FROM woo.ingest_rejects), 2::bigint, 'fixture: two rejected orders in store A');
SELECT results_eq($$SELECT customers_erased, rejects_deleted FROM woo.forget_customer('a0000000-0000-4000-8000-000000000000', ' ADA.lovelace@example.com')$$,
                  $$VALUES (1, 1)$$, 'forget_customer: one customer erased, its one reject deleted');
SELECT results_eq($$SELECT email_hash, display_name, payload_hash FROM customers WHERE wc_customer_id = 42$$,
                  $$VALUES (NULL::varchar, NULL::varchar, NULL::bytea)$$, 'the registered customer has no e-mail hash, name or payload hash left');
SELECT is((SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.wc_customer_id = 42), 1::bigint,
          'its orders stay, linked to it');
SELECT is((SELECT count(*) FROM woo.ingest_rejects), 1::bigint, 'the other customer''s reject stays');
SELECT is((SELECT count(*) FROM woo.ingest_rejects WHERE strpos(payload::text, woo.hash_email('ada.lovelace@example.com')) > 0), 0::bigint,
          'no reject mentions the forgotten address''s hash');
SELECT results_eq($$SELECT customers_erased, rejects_deleted FROM woo.forget_customer('a0000000-0000-4000-8000-000000000000', 'John.Smith+news@googlemail.com')$$,
                  $$VALUES (1, 0)$$, 'a guest stored as johnsmith@gmail.com is found by its Gmail-canonical form');
SELECT ok((SELECT email_hash IS NOT NULL AND email_hash <> woo.hash_email('johnsmith@gmail.com') AND display_name IS NULL
             FROM customers WHERE wc_customer_id IS NULL AND id = (SELECT customer_id FROM orders WHERE wc_order_id = 3)),
          'the guest''s hash is replaced by a random one (a guest needs an identity), its name is gone');
SELECT results_eq($$SELECT customers_erased, rejects_deleted, customer_ids FROM woo.forget_customer('a0000000-0000-4000-8000-000000000000', 'nobody@example.com')$$,
                  $$VALUES (0, 0, '{}'::uuid[])$$, 'an unknown address changes nothing');
SELECT throws_ok($$SELECT * FROM woo.forget_customer('b0000000-0000-4000-8000-000000000000', 'ada.lovelace@example.com')$$,
                 '42501', NULL, 'another store''s customer cannot be forgotten');
SELECT throws_ok($$SELECT * FROM woo.forget_customer('a0000000-0000-4000-8000-000000000000', '   ')$$,
                 '22023', 'woo.forget_customer: email is empty', 'an empty address is refused');
SELECT woo.set_store('b0000000-0000-4000-8000-000000000000');
SELECT is((SELECT count(*) FROM customers WHERE email_hash = woo.hash_email('ada.lovelace@example.com')), 1::bigint,
          'store B still has its own customer with that address (erasure is per store)');
SELECT woo.set_store('a0000000-0000-4000-8000-000000000000');
-- The same orders delivered again, unchanged: skipped, nothing comes back.
SELECT woo.upsert_orders('a0000000-0000-4000-8000-000000000000', (SELECT jsonb_agg(e) FROM fx, jsonb_array_elements(body) e WHERE e->>'id' IN ('1', '3')));
SELECT is((SELECT count(*) FROM customers WHERE email_hash IN (woo.hash_email('ada.lovelace@example.com'), woo.hash_email('johnsmith@gmail.com'))),
          0::bigint, 'an unchanged re-delivery of their orders brings no forgotten hash back');
-- The store sends them again: the registered customer (its record) gets its row back, the guest (a modified order) is new.
SELECT woo.upsert_customers('a0000000-0000-4000-8000-000000000000',
                            '{"id": 42, "email": "ada.lovelace@example.com", "first_name": "Ada", "last_name": "Lovelace", "date_created_gmt": "2024-01-01T00:00:00"}');
SELECT woo.upsert_orders('a0000000-0000-4000-8000-000000000000',
                         (SELECT jsonb_agg(jsonb_set(e, '{date_modified_gmt}', '"2024-04-01T00:00:00"')) FROM fx, jsonb_array_elements(body) e WHERE e->>'id' IN ('1', '3')));
SELECT is((SELECT email_hash FROM customers WHERE wc_customer_id = 42), woo.hash_email('ada.lovelace@example.com')::varchar,
          're-ingested: the registered customer''s row has its hash again (no new row)');
SELECT is((SELECT count(*) FROM customers WHERE wc_customer_id = 42), 1::bigint, 'still one row for customer 42');
SELECT is((SELECT count(*) FROM customers WHERE wc_customer_id IS NULL AND email_hash = woo.hash_email('johnsmith@gmail.com')), 1::bigint,
          're-ingested: the guest is a new row');

-- purge_store ----------------------------------------------------------------------------------------
SELECT woo.save_chart('a0000000-0000-4000-8000-000000000000', 'Orders', 'SELECT count(*) FROM orders', '{"type": "number"}');
SELECT woo.start_conversation('a0000000-0000-4000-8000-000000000000');
SELECT woo.sync_start('a0000000-0000-4000-8000-000000000000', 'full');
SELECT throws_ok($$SELECT * FROM woo.purge_store('a0000000-0000-4000-8000-000000000000')$$, '42501',
                 'permission denied for function purge_store', 'woo_app cannot purge a store');
RESET ROLE;
SELECT woo.create_ai_login('a0000000-0000-4000-8000-000000000000', 'tap_ai_a', 'pw-a');
SELECT woo.create_ai_login('b0000000-0000-4000-8000-000000000000', 'tap_ai_b', 'pw-b');
CREATE TEMP TABLE before_b AS
SELECT t, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %s WHERE store_id = %L', t, 'b0000000-0000-4000-8000-000000000000'), false, false, '')))[1]::text::bigint AS n
  FROM unnest(ARRAY['public.orders', 'public.order_items', 'public.customers', 'public.products', 'woo.ingest_rejects']) t;
CREATE TEMP TABLE purged (table_name text, rows_deleted bigint);
GRANT INSERT ON purged TO woo_owner;
SET LOCAL ROLE woo_owner;
INSERT INTO purged SELECT * FROM woo.purge_store('a0000000-0000-4000-8000-000000000000');
RESET ROLE;
SELECT results_eq($$SELECT table_name, rows_deleted FROM purged WHERE table_name IN ('public.orders', 'public.customers', 'public.order_items',
                                  'public.products', 'woo.ingest_rejects', 'public.saved_charts', 'public.conversations', 'public.sync_logs',
                                  'public.stores', 'AI logins (roles dropped)') ORDER BY table_name$$,
                  $$VALUES ('AI logins (roles dropped)', 1::bigint), ('public.conversations', 1), ('public.customers', 4), ('public.order_items', 1),
                           ('public.orders', 3), ('public.products', 1), ('public.saved_charts', 1), ('public.stores', 1),
                           ('public.sync_logs', 1), ('woo.ingest_rejects', 1)$$,
                  'woo_owner: purge_store reports the rows it deleted per table');
SELECT is((SELECT count(*) FROM stores WHERE id = 'a0000000-0000-4000-8000-000000000000'), 0::bigint, 'the store is gone');
SELECT is_empty($$SELECT t FROM unnest(ARRAY['public.orders', 'public.order_items', 'public.customers', 'public.products', 'public.categories',
                  'public.coupons', 'public.saved_charts', 'public.conversations', 'public.sync_logs', 'woo.ingest_rejects', 'woo.load_checkpoints']) t
                 WHERE (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %s WHERE store_id = %L', t, 'a0000000-0000-4000-8000-000000000000'), false, false, '')))[1]::text::bigint > 0$$,
                'no row of the purged store is left in any table');
SELECT is_empty($$SELECT t FROM before_b
                 WHERE n <> (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %s WHERE store_id = %L', t, 'b0000000-0000-4000-8000-000000000000'), false, false, '')))[1]::text::bigint$$,
                'the other store''s rows are all there');
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tap_ai_a'), 'the AI login pinned to the purged store is dropped');
SELECT ok(EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tap_ai_b'), 'the other store''s AI login stays');
SELECT is_empty($$SELECT format('%s.%s', c.relnamespace::regnamespace, c.relname) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                   WHERE a.attname = 'store_id' AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
                     AND c.relnamespace IN ('public'::regnamespace, 'woo'::regnamespace)
                  EXCEPT SELECT table_name FROM purged$$,
                'purge_store covers every table that has a store_id column');
SET LOCAL ROLE woo_owner;
SELECT throws_ok($$SELECT * FROM woo.purge_store('a0000000-0000-4000-8000-000000000000')$$, 'P0002',
                 'woo.purge_store: no store a0000000-0000-4000-8000-000000000000', 'purging an unknown store is an error');
RESET ROLE;
SELECT ok(NOT has_function_privilege('woo_ai', 'woo.purge_store(uuid)', 'EXECUTE') AND NOT has_function_privilege('public', 'woo.purge_store(uuid)', 'EXECUTE'),
          'only woo_owner may purge');

SELECT * FROM finish();
ROLLBACK;
