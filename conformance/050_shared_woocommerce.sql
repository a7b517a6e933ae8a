-- Conformance: every real WooCommerce payload in ../shared/woocommerce/ is
-- ingested and checked field by field. The harness (scripts/test.sh) loads
-- the files into tap.shared_files (name, body) before this runs; without the
-- folder this suite is not run. Expected values were read off the files.
BEGIN;
SELECT plan(42);

INSERT INTO public.stores (id, store_url, api_key_hash) VALUES
    ('5e000000-0000-4000-8000-000000000005', 'https://shared.example', 'x');
CREATE TEMP TABLE f AS
SELECT name, CASE WHEN body::jsonb ? 'data' THEN body::jsonb -> 'data' ELSE body::jsonb END AS doc
  FROM tap.shared_files WHERE name LIKE '%.json';
GRANT SELECT ON f TO woo_app;
SET LOCAL woo.store_id = '5e000000-0000-4000-8000-000000000005';
SET LOCAL ROLE woo_app;

SELECT is((SELECT count(*)::int FROM f), 16, 'the 16 JSON captures are loaded');

-- Catalogue first (categories, products, variations), then customers and coupons.
SELECT results_eq($$SELECT * FROM woo.upsert_categories('5e000000-0000-4000-8000-000000000005',
                      (SELECT doc FROM f WHERE name = 'docs_v3_product_categories_list.json'))$$,
    $$VALUES (7, 0, 0, 0, 0, 0)$$, 'categories list: 7 inserted');
SELECT results_eq($$SELECT * FROM woo.upsert_categories('5e000000-0000-4000-8000-000000000005',
                      (SELECT doc FROM f WHERE name = 'docs_v3_product_category_9_retrieve.json'))$$,
    $$VALUES (0, 0, 1, 0, 0, 0)$$, 'category 9 retrieved alone: unchanged (same record as in the list)');
SELECT results_eq(
    $$SELECT c.wc_category_id, c.name::text, p.wc_category_id, c.product_count FROM categories c
        LEFT JOIN categories p ON p.id = c.parent_id ORDER BY 1$$,
    $$VALUES (9, 'Clothing', NULL::int, 36), (10, 'Hoodies', 9, 6), (11, 'Music', NULL, 7), (12, 'Posters', NULL, 5),
             (13, 'Singles', 11, 3), (14, 'T-shirts', 9, 6), (15, 'Albums', 11, 4)$$,
    'categories: names, parents (listed after their children) and counts');

SELECT results_eq($$SELECT * FROM woo.upsert_products('5e000000-0000-4000-8000-000000000005', jsonb_build_array(
        (SELECT doc FROM f WHERE name = 'docs_v3_product_794_simple_retrieve.json'),
        (SELECT doc FROM f WHERE name = 'docs_v3_product_799_variable_create.json')))$$,
    $$VALUES (2, 0, 0, 0, 0, 0)$$, 'simple 794 and variable 799 inserted');
SELECT results_eq(
    $$SELECT name::text, type::text, status::text, sku, price, regular_price, sale_price, stock_quantity, stock_status::text,
             category_name::text, created_at, updated_at FROM products WHERE wc_product_id = 794$$,
    $$VALUES ('Premium Quality', 'simple', 'publish', NULL::varchar, 21.99, 21.99, NULL::numeric, NULL::int, 'instock',
              'Clothing', '2017-03-23 20:01:14+00'::timestamptz, '2017-03-23 20:01:14+00'::timestamptz)$$,
    'product 794 field by field (empty sku and sale_price are NULL)');
SELECT is((SELECT c.wc_category_id FROM products p JOIN categories c ON c.id = p.category_id WHERE p.wc_product_id = 794), 9,
          'product 794: categories[0] is category 9');
SELECT results_eq($$SELECT name::text, type::text, price FROM products WHERE wc_product_id = 799$$,
    $$VALUES ('Ship Your Idea', 'variable', NULL::numeric)$$, 'variable product 799: empty price is NULL');
SELECT results_eq($$SELECT * FROM woo.upsert_products('5e000000-0000-4000-8000-000000000005',
                      (SELECT doc FROM f WHERE name = 'docs_v3_product_22_variations_list.json'))$$,
    $$VALUES (2, 0, 0, 0, 0, 0)$$, 'variations list of product 22: 2 inserted');
SELECT results_eq($$SELECT wc_product_id, type::text, name::text, price FROM products WHERE wc_product_id IN (732, 733) ORDER BY 1$$,
    $$VALUES (732, 'variation', 'Color: Black', 9.00), (733, 'variation', 'Color: Green', 9.00)$$,
    'variations (no type, name or parent in the list) are typed and named from their attributes');

SELECT results_eq($$SELECT * FROM woo.upsert_customers('5e000000-0000-4000-8000-000000000005',
                      (SELECT doc FROM f WHERE name = 'docs_v3_customer_25_retrieve.json'))$$,
    $$VALUES (1, 0, 0, 0, 0, 0)$$, 'customer 25 inserted');
SELECT results_eq($$SELECT email_hash::text, display_name::text, created_at FROM customers WHERE wc_customer_id = 25$$,
    $$VALUES (woo.hash_email('john.doe@example.com'), 'John Doe', '2017-03-21 19:09:28+00'::timestamptz)$$,
    'customer 25: e-mail hashed, name, date_created_gmt');

SELECT results_eq($$SELECT * FROM woo.upsert_coupons('5e000000-0000-4000-8000-000000000005',
                      (SELECT doc FROM f WHERE name = 'docs_v3_coupon_719_retrieve.json'))$$,
    $$VALUES (1, 0, 0, 0, 0, 0)$$, 'coupon 719 inserted');
SELECT results_eq($$SELECT code::text, discount_type::text, amount, usage_count FROM coupons WHERE wc_coupon_id = 719$$,
    $$VALUES ('10off', 'percent', 10.00, 0)$$, 'coupon 719 field by field');

-- Orders ---------------------------------------------------------------------------
SELECT results_eq($$SELECT * FROM woo.upsert_orders('5e000000-0000-4000-8000-000000000005',
                      (SELECT doc FROM f WHERE name = 'docs_v3_orders_list_727_723.json'))$$,
    $$VALUES (2, 0, 0, 0, 0, 0)$$, 'orders list: 727 and 723 inserted');
SELECT results_eq($$SELECT * FROM woo.upsert_orders('5e000000-0000-4000-8000-000000000005',
                      (SELECT doc FROM f WHERE name = 'docs_v3_order_727_retrieve.json'))$$,
    $$VALUES (0, 0, 1, 0, 0, 0)$$, 'order 727 retrieved alone: unchanged (identical to its list entry)');
SELECT results_eq($$SELECT * FROM woo.upsert_orders('5e000000-0000-4000-8000-000000000005', jsonb_build_array(
        (SELECT doc FROM f WHERE name = 'ios_order_324_partially_refunded.json'),
        (SELECT doc FROM f WHERE name = 'ios_order_1467_guest_raw_escaped_slashes.json'),
        (SELECT doc FROM f WHERE name = 'ios_order_963_with_coupon_lines.json')))$$,
    $$VALUES (3, 0, 0, 0, 0, 0)$$, 'app captures 324, 1467 and 963 inserted');

SELECT results_eq(
    $$SELECT wc_order_id, status::text, currency::text, total, subtotal, tax_total, shipping_total, discount_total,
             payment_method::text, coupon_used::text, refunded_total, date_created, date_modified
        FROM orders ORDER BY wc_order_id$$,
    $$VALUES
      (324, 'completed', 'USD', 304.45, 250.20, 0.00, 54.25, 0.00, 'stripe', NULL::text, 24.30,
            '2019-06-06 17:17:55+00'::timestamptz, '2019-06-06 17:18:38+00'::timestamptz),
      (723, 'completed', 'USD', 39.00, 29.00, 0.00, 10.00, 0.00, 'bacs', NULL, 19.00,
            '2017-03-21 19:16:00+00', '2017-03-21 19:54:51+00'),
      (727, 'processing', 'USD', 29.35, 18.00, 1.35, 10.00, 0.00, 'bacs', NULL, 0.00,
            '2017-03-22 19:28:02+00', '2017-03-22 19:28:08+00'),
      (963, 'processing', 'USD', 31.20, 60.00, 1.20, 0.00, 30.00, 'stripe', '30$off', 0.00,
            '2018-04-03 23:05:12+00', '2018-04-03 23:05:14+00'),
      (1467, 'processing', 'USD', 100.00, 100.00, 0.00, 0.00, 0.00, 'cod', NULL, 0.00,
            '2018-01-24 16:21:48+00', '2018-05-09 18:15:30+00')$$,
    'five orders field by field (subtotal = sum of line subtotals, refunds net, dates from *_gmt)');
SELECT results_eq(
    $$SELECT o.wc_order_id, count(i.id)::int, sum(i.quantity) FROM orders o LEFT JOIN order_items i ON i.order_id = o.id
       GROUP BY 1 ORDER BY 1$$,
    $$VALUES (324, 8, 36::numeric), (723, 2, 2::numeric), (727, 2, 3::numeric), (963, 2, 2::numeric), (1467, 1, 1::numeric)$$,
    'line item counts and quantities per order');
SELECT results_eq(
    $$SELECT i.product_name::text, i.sku::text, i.quantity, i.subtotal, i.total, p.wc_product_id
        FROM order_items i JOIN orders o ON o.id = i.order_id JOIN products p ON p.id = i.product_id
       WHERE o.wc_order_id = 727 ORDER BY p.wc_product_id$$,
    $$VALUES ('Ship Your Idea – Color: Black, Size: M Test', 'Bar3', 1::numeric, 12.00, 12.00, 23),
             ('Woo Single #1', NULL, 2::numeric, 6.00, 6.00, 93)$$,
    'order 727 items: the variation (variation_id 23) is the linked product');
SELECT is((SELECT count(*)::int FROM order_items WHERE product_id IS NULL), 0, 'every item is linked to a product (placeholders)');
SELECT results_eq(
    $$SELECT o.wc_order_id, c.wc_customer_id, c.email_hash::text FROM orders o LEFT JOIN customers c ON c.id = o.customer_id ORDER BY 1$$,
    $$VALUES (324, 1, woo.hash_email('thuy.copeland+pamela-nguyen-orders@automattic.com')),
             (723, 26, woo.hash_email('joao.silva@example.com')),
             (727, NULL::int, woo.hash_email('john.doe@example.com')),
             (963, 11, woo.hash_email('scrambled@scrambled.com')),
             (1467, NULL::int, woo.hash_email('scrambled'))$$,
    'customers: registered ids linked (placeholders), guests by billing e-mail hash');
SELECT results_eq($$SELECT display_name::text FROM customers WHERE wc_customer_id = 26$$, $$VALUES ('João Silva')$$,
    'a placeholder customer is named from the billing address (UTF-8 kept)');

-- The same order id captured twice, in another currency: an update of 963.
SELECT results_eq($$SELECT * FROM woo.upsert_orders('5e000000-0000-4000-8000-000000000005',
                      (SELECT doc FROM f WHERE name = 'ios_order_special_character_currency_AED.json'))$$,
    $$VALUES (0, 1, 0, 0, 0, 0)$$, 'AED capture of order 963 (same date_modified, other content): updated');
SELECT results_eq($$SELECT currency::text, total FROM orders WHERE wc_order_id = 963$$, $$VALUES ('AED', 31.20)$$, 'currency per order');
SELECT is((SELECT sum(quantity) FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.wc_order_id = 963), 3.5::numeric,
          'its fractional quantity (1.5) is kept');

-- Refund captures: checked against the orders' refunds[] (the refund API pages
-- carry no order, and order 560 is not among the captures).
SELECT is((SELECT sum((r->>'amount')::numeric) FROM f, jsonb_array_elements(doc) r WHERE name = 'docs_v3_order_723_refunds_list.json'),
          (SELECT refunded_total FROM orders WHERE wc_order_id = 723), 'refunds list of 723 sums to its refunded_total (19.00)');
SELECT ok((SELECT doc->>'id' = '726' AND doc->>'amount' = '10.00' FROM f WHERE name = 'docs_v3_order_723_refund_726_retrieve.json')
          AND EXISTS (SELECT 1 FROM f, jsonb_array_elements(doc) o, jsonb_array_elements(o->'refunds') r
                       WHERE name = 'docs_v3_orders_list_727_723.json' AND o->>'id' = '723'
                         AND r->>'id' = '726' AND r->>'total' = '-10.00'),
          'refund 726 is the -10.00 refund of order 723');
SELECT is((SELECT sum((r->>'amount')::numeric) FROM f, jsonb_array_elements(doc) r WHERE name = 'ios_order_560_refunds_list.json'),
          225.00, 'refunds list of order 560 is readable: 4 refunds, 225.00');

-- Replays change nothing; nothing plaintext -------------------------------------------
SELECT results_eq($$SELECT * FROM woo.upsert_orders('5e000000-0000-4000-8000-000000000005',
                      (SELECT doc FROM f WHERE name = 'docs_v3_orders_list_727_723.json'))$$,
    $$VALUES (0, 0, 2, 0, 0, 0)$$, 'orders list replayed: unchanged');
SELECT results_eq($$SELECT * FROM woo.upsert_products('5e000000-0000-4000-8000-000000000005',
                      (SELECT doc FROM f WHERE name = 'docs_v3_product_22_variations_list.json'))$$,
    $$VALUES (0, 0, 2, 0, 0, 0)$$, 'variations replayed: unchanged');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM customers WHERE email_hash IS NOT NULL AND email_hash !~ '^[0-9a-f]{64}$'), 0,
          'every stored e-mail is a hash');
SELECT is((SELECT count(*)::int FROM (SELECT row_to_json(c)::text AS t FROM customers c UNION ALL
                                      SELECT row_to_json(o)::text FROM orders o) x WHERE t LIKE '%@%'), 0,
          'no stored customer or order row contains an e-mail address');

-- The official sample catalogue (CSV export) --------------------------------------------
CREATE TEMP TABLE csv_products AS
SELECT jsonb_strip_nulls(jsonb_build_object(
         'id', (r->>'ID')::int,
         'name', r->>'Name',
         'type', split_part(r->>'Type', ',', 1),
         'status', CASE r->>'Published' WHEN '1' THEN 'publish' WHEN '0' THEN 'private' ELSE 'draft' END,
         'sku', r->>'SKU',
         'regular_price', coalesce(r->>'Regular price', ''),
         'sale_price', coalesce(r->>'Sale price', ''),
         'price', coalesce(nullif(r->>'Sale price', ''), r->>'Regular price', ''),
         'stock_quantity', nullif(r->>'Stock', '')::int,
         -- the export names a parent as "id:N" or by its SKU
         'parent_id', CASE WHEN r->>'Parent' ~ '^id:[0-9]+$' THEN substr(r->>'Parent', 4)::int
                           ELSE (SELECT (p->>'ID')::int FROM tap.shared_csv_rows x(p) WHERE p->>'SKU' = r->>'Parent') END,
         'categories', CASE WHEN coalesce(r->>'Categories', '') = '' THEN NULL
                            ELSE jsonb_build_array(jsonb_build_object('name',
                                   btrim(regexp_replace(split_part(r->>'Categories', ',', 1), '^.*>', '')))) END)) AS doc
  FROM tap.shared_csv_rows x(r);
GRANT SELECT ON csv_products TO woo_app;
SET LOCAL ROLE woo_app;
SELECT is((SELECT count(*)::int FROM csv_products), 25, 'sample_products.csv: 25 products');
SELECT results_eq($$SELECT * FROM woo.upsert_products('5e000000-0000-4000-8000-000000000005',
                      (SELECT jsonb_agg(doc) FROM csv_products))$$,
    $$VALUES (22, 3, 0, 0, 0, 0)$$, 'the sample catalogue: 22 inserted, 3 completed placeholders (45, 48, 87 were order items)');
SELECT is((SELECT count(*)::int FROM products WHERE wc_product_id IN (45, 48, 87) AND payload_hash IS NOT NULL), 3,
          'the placeholders made from order items are now complete products');
SELECT results_eq(
    $$SELECT name::text, type::text, sku::text, regular_price, sale_price, price, category_name::text FROM products WHERE wc_product_id = 48$$,
    $$VALUES ('Beanie', 'simple', 'woo-beanie', 20.00, 18.00, 18.00, 'Accessories')$$, 'Beanie (48) field by field');
SELECT results_eq($$SELECT type::text, count(*)::int FROM products WHERE wc_product_id IN (SELECT (doc->>'id')::int FROM csv_products)
                    GROUP BY 1 ORDER BY 1$$,
    $$VALUES ('external', 1), ('grouped', 1), ('simple', 14), ('variable', 2), ('variation', 7)$$,
    'types as exported ("simple, downloadable, virtual" is simple)');
SELECT is((SELECT count(*)::int FROM products WHERE wc_product_id IN (SELECT (doc->>'id')::int FROM csv_products) AND category_id IS NOT NULL), 0,
          'CSV categories carry names only: category_name is set, no category row is invented');
SELECT results_eq($$SELECT type::text, count(*)::int FROM products
                     WHERE wc_product_id IN (SELECT (doc->>'id')::int FROM csv_products) AND category_name IS NULL GROUP BY 1$$,
    $$VALUES ('variation', 7)$$, 'every CSV product but the 7 variations (exported without categories) has its category name');
SELECT results_eq($$SELECT v.name::text, v.type::text FROM products v WHERE v.wc_product_id = 76$$,
    $$VALUES ('V-Neck T-Shirt - Red', 'variation')$$, 'a CSV variation (parent given by SKU) is a product');
SELECT results_eq($$SELECT * FROM woo.upsert_products('5e000000-0000-4000-8000-000000000005',
                      (SELECT jsonb_agg(doc) FROM csv_products))$$,
    $$VALUES (0, 0, 25, 0, 0, 0)$$, 'the catalogue replayed: unchanged');

SELECT * FROM finish();
ROLLBACK;
