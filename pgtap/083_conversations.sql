-- Conversations (1.5), as woo_app under RLS: start_conversation, append_message (roles,
-- caps from superuser-only settings, messages {"role","content","at"} in order, e-mails
-- stored as sha256:<hash>), and a conversation of another store is not found.
-- Concurrent appends are played in scripts/test-store-races.sh.
BEGIN;
SELECT plan(25);

INSERT INTO stores (id, store_url, api_key_hash) VALUES
    ('a0000000-0000-4000-8000-000000000000', 'https://a.example', 'x'),
    ('b0000000-0000-4000-8000-000000000000', 'https://b.example', 'x');
INSERT INTO conversations (id, store_id, messages) VALUES
    ('b0000000-0000-4000-8000-0000000000d0', 'b0000000-0000-4000-8000-000000000000', '[]');
SET LOCAL woo.message_max_bytes = 200;
SET LOCAL woo.conversation_max_messages = 6;
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid);
GRANT SELECT, INSERT ON ids TO woo_app;

SET LOCAL ROLE woo_app;
SELECT throws_ok($$SELECT woo.start_conversation('a0000000-0000-4000-8000-000000000000')$$, '42501',
                 'no store is bound to this transaction', 'start_conversation needs a bound store');
SELECT woo.set_store('a0000000-0000-4000-8000-000000000000');
SELECT throws_ok($$SELECT woo.start_conversation('b0000000-0000-4000-8000-000000000000')$$, '42501',
                 'store_id b0000000-0000-4000-8000-000000000000 is not the store bound to this transaction',
                 'a conversation cannot be started in another store');
INSERT INTO ids SELECT 'c', woo.start_conversation('a0000000-0000-4000-8000-000000000000');
SELECT results_eq($$SELECT store_id, messages FROM conversations WHERE id = (SELECT id FROM ids)$$,
                  $$VALUES ('a0000000-0000-4000-8000-000000000000'::uuid, '[]'::jsonb)$$, 'a new conversation is empty, in the bound store');

SELECT is(woo.append_message((SELECT id FROM ids), 'user', 'How many coupons?'), 1, 'append_message returns the message count (1)');
SELECT is(woo.append_message((SELECT id FROM ids), 'assistant', 'Two.', '{"model": "m-1", "tokens": 12}'), 2, '... 2');
SELECT is(woo.append_message((SELECT id FROM ids), 'system', 'Be brief.'), 3, '... 3 (system)');
SELECT is(woo.append_message((SELECT id FROM ids), 'tool', '{"rows": 2}'), 4, '... 4 (tool)');
SELECT results_eq($$SELECT m->>'role', m->>'content', m->'meta' FROM conversations, jsonb_array_elements(messages) WITH ORDINALITY e(m, i)
                    WHERE id = (SELECT id FROM ids) ORDER BY i$$,
                  $$VALUES ('user', 'How many coupons?', NULL::jsonb), ('assistant', 'Two.', '{"model": "m-1", "tokens": 12}'),
                           ('system', 'Be brief.', NULL), ('tool', '{"rows": 2}', NULL)$$,
                  'messages are stored in order with their role, content and meta');
SELECT ok((SELECT bool_and(m->>'at' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$' AND (m->>'at')::timestamptz BETWEEN now() AND clock_timestamp())
             FROM conversations, jsonb_array_elements(messages) m WHERE id = (SELECT id FROM ids)),
          'every message has "at", a UTC timestamp of when it was appended');
SELECT ok((SELECT bool_and((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(m) k) <@ ARRAY['at', 'content', 'meta', 'role'])
             FROM conversations, jsonb_array_elements(messages) m WHERE id = (SELECT id FROM ids)),
          'a message holds role, content, at (and meta) only');
SELECT ok((SELECT updated_at >= (messages->-1->>'at')::timestamptz AND updated_at >= created_at FROM conversations WHERE id = (SELECT id FROM ids)),
          'updated_at follows the last append');

-- E-mails never in clear ---------------------------------------------------------------------------------
SELECT is(woo.append_message((SELECT id FROM ids), 'user', 'Orders of Jane.Doe@Example.com, and <bob@shop.example>?',
                             '{"tool": "lookup", "args": {"email": "bob@shop.example"}}'), 5, 'a message with addresses is appended');
SELECT is((SELECT messages->4->>'content' FROM conversations WHERE id = (SELECT id FROM ids)),
          format('Orders of sha256:%s, and <sha256:%s>?', woo.hash_email('Jane.Doe@Example.com'), woo.hash_email('bob@shop.example')),
          'each address in the content is stored as sha256:<woo.hash_email of it>');
SELECT is((SELECT messages->4->'meta' FROM conversations WHERE id = (SELECT id FROM ids)),
          jsonb_build_object('tool', 'lookup', 'args', jsonb_build_object('email', 'sha256:' || woo.hash_email('bob@shop.example'))),
          'addresses in meta are stored hashed too');
SELECT is(woo._redact_emails_jsonb('{"q": "say \"bob@shop.example\"", "list": ["x@y.io", 1, {"amy@z.io": null}]}'),
          jsonb_build_object('q', format('say "sha256:%s"', woo.hash_email('bob@shop.example')),
                             'list', jsonb_build_array('sha256:' || woo.hash_email('x@y.io'), 1,
                                                       jsonb_build_object('sha256:' || woo.hash_email('amy@z.io'), NULL))),
          'meta: every string and key is redacted, escaped quotes and nesting included');
SELECT is((SELECT count(*) FROM conversations WHERE messages::text ~* '[a-z0-9._-]+@[a-z0-9.-]+'), 0::bigint,
          'no e-mail address in clear in any conversation');

-- Refusals ---------------------------------------------------------------------------------------------------
SELECT throws_ok($$SELECT woo.append_message((SELECT id FROM ids), 'robot', 'hi')$$, '22023',
                 'role: "robot" is not one of user, assistant, system, tool', 'an unknown role is refused');
SELECT throws_ok($$SELECT woo.append_message((SELECT id FROM ids), 'user', repeat('x', 201))$$, '54000',
                 'content: 201 bytes, more than woo.message_max_bytes (200)', 'content over woo.message_max_bytes is refused');
SELECT throws_ok($$SELECT woo.append_message((SELECT id FROM ids), 'user', 'x', '[1]')$$, '22023',
                 'meta: must be a JSON object, not array', 'meta must be an object');
SELECT throws_ok($$SELECT woo.append_message((SELECT id FROM ids), 'user', NULL)$$, '22004',
                 'woo.append_message: conversation_id, role and content are required', 'content is required');
SELECT is(woo.append_message((SELECT id FROM ids), 'user', 'sixth'), 6, 'the sixth message fits (woo.conversation_max_messages = 6)');
SELECT throws_ok($$SELECT woo.append_message((SELECT id FROM ids), 'user', 'seventh')$$, '54000',
                 format('conversation %s is full: woo.conversation_max_messages is 6', (SELECT id FROM ids)),
                 'a seventh is refused');
SELECT throws_ok($$SELECT woo.append_message('b0000000-0000-4000-8000-0000000000d0', 'user', 'hello B')$$, 'P0002',
                 'woo.append_message: no conversation b0000000-0000-4000-8000-0000000000d0 in the bound store',
                 'a conversation of another store is not found');
SELECT throws_ok($$SET woo.conversation_max_messages = 100$$, '42501',
                 'permission denied to set parameter "woo.conversation_max_messages"', 'woo_app cannot raise the caps');
RESET ROLE;
SELECT is((SELECT messages FROM conversations WHERE id = 'b0000000-0000-4000-8000-0000000000d0'), '[]'::jsonb,
          'store B''s conversation is untouched');

SELECT * FROM finish();
ROLLBACK;
