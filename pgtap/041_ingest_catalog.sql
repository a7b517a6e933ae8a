-- woo.upsert_products / upsert_categories / upsert_customers / upsert_coupons.
BEGIN;
SELECT plan(33);

INSERT INTO public.stores (id, store_url, api_key_hash) VALUES
    ('a0000000-0000-4000-8000-00000000000a', 'https://shop-a.example', 'x');
SET LOCAL woo.store_id = 'a0000000-0000-4000-8000-00000000000a';
SET LOCAL ROLE woo_app;

-- Categories: a child listed before its parent, names HTML-encoded ------------------
SELECT results_eq(
    $$SELECT * FROM woo.upsert_categories('a0000000-0000-4000-8000-00000000000a', '[
        {"id": 31, "name": "Hoodies &amp; Sweaters", "slug": "hoodies", "parent": 30, "count": 4},
        {"id": 30, "name": "Clothing", "slug": "clothing", "parent": 0, "count": 12},
        {"id": 32, "name": "Caf&#233; Mugs", "slug": "mugs", "parent": 0, "count": 0}]')$$,
    $$VALUES (3, 0, 0, 0, 0, 0)$$, 'three categories inserted');
SELECT results_eq(
    $$SELECT c.name::text, p.wc_category_id, c.product_count FROM categories c LEFT JOIN categories p ON p.id = c.parent_id
       ORDER BY c.wc_category_id$$,
    $$VALUES ('Clothing', NULL::int, 12), ('Hoodies & Sweaters', 30, 4), ('Café Mugs', NULL::int, 0)$$,
    'names decoded; parent resolved although the child came first');
SELECT results_eq(
    $$SELECT * FROM woo.upsert_categories('a0000000-0000-4000-8000-00000000000a',
        '{"id": 41, "name": "Singles", "parent": 40, "count": 1}')$$,
    $$VALUES (1, 0, 0, 0, 0, 0)$$, 'a child whose parent was never synced');
SELECT is((SELECT p.wc_category_id FROM categories c JOIN categories p ON p.id = c.parent_id WHERE c.wc_category_id = 41), 40,
          'its parent is a placeholder row, so the link is kept');
SELECT results_eq(
    $$SELECT * FROM woo.upsert_categories('a0000000-0000-4000-8000-00000000000a', '{"id": 40, "name": "Music", "parent": 0, "count": 3}')$$,
    $$VALUES (0, 1, 0, 0, 0, 0)$$, 'the parent arriving later completes the placeholder');
SELECT results_eq($$SELECT name::text, product_count FROM categories WHERE wc_category_id = 40$$, $$VALUES ('Music', 3)$$,
    'placeholder completed');
SELECT results_eq(
    $$SELECT * FROM woo.upsert_categories('a0000000-0000-4000-8000-00000000000a', '{"id": 31, "name": "Hoodies", "parent": 0, "count": 4}')$$,
    $$VALUES (0, 1, 0, 0, 0, 0)$$, 'a category moved to the top level');
SELECT is((SELECT parent_id FROM categories WHERE wc_category_id = 31), NULL, 'its parent link is removed');

-- Products ----------------------------------------------------------------------------
SELECT results_eq(
    $$SELECT * FROM woo.upsert_products('a0000000-0000-4000-8000-00000000000a', '[
      {"id": 500, "name": "Logo Hoodie", "type": "simple", "status": "publish", "sku": "HOOD-1", "price": "45.00",
       "regular_price": "50.00", "sale_price": "45.00", "stock_quantity": 7, "stock_status": "instock",
       "date_created_gmt": "2024-02-01T10:00:00", "date_modified_gmt": "2024-02-02T10:00:00",
       "categories": [{"id": 31, "name": "Hoodies", "slug": "hoodies"}, {"id": 30, "name": "Clothing"}]},
      {"id": 510, "name": "Mug", "type": "variable", "status": "draft", "sku": "", "price": "", "regular_price": "", "sale_price": "",
       "stock_quantity": null, "stock_status": "outofstock", "date_created_gmt": "2024-02-03T10:00:00",
       "date_modified_gmt": "2024-02-03T10:00:00", "categories": [{"id": 50, "name": "Kitchen &amp; Home"}]},
      {"id": 511, "name": "Mug - Blue", "type": "variation", "parent_id": 510, "sku": "MUG-B", "price": "12.00",
       "regular_price": "12.00", "sale_price": "", "date_modified_gmt": "2024-02-03T10:00:00"},
      {"id": 512, "sku": "MUG-R", "price": "12.00", "regular_price": "12.00", "sale_price": "",
       "date_modified_gmt": "2024-02-03T10:00:00", "attributes": [{"id": 1, "name": "Color", "option": "Red"}]}]')$$,
    $$VALUES (4, 0, 0, 0, 0, 0)$$, 'four products (simple, variable, two variations) inserted');
SELECT results_eq(
    $$SELECT name::text, sku::text, price, regular_price, sale_price, category_name::text, stock_quantity, stock_status::text,
             status::text, type::text, created_at, updated_at FROM products WHERE wc_product_id = 500$$,
    $$VALUES ('Logo Hoodie', 'HOOD-1', 45.00, 50.00, 45.00, 'Hoodies', 7, 'instock', 'publish', 'simple',
              '2024-02-01 10:00:00+00'::timestamptz, '2024-02-02 10:00:00+00'::timestamptz)$$,
    'simple product mapped field by field');
SELECT is((SELECT c.wc_category_id FROM products p JOIN categories c ON c.id = p.category_id WHERE p.wc_product_id = 500), 31,
          'categories[0] sets category_id');
SELECT results_eq($$SELECT sku, price, regular_price, sale_price, stock_quantity FROM products WHERE wc_product_id = 510$$,
    $$VALUES (NULL::varchar, NULL::numeric, NULL::numeric, NULL::numeric, NULL::int)$$, 'empty price strings and sku are NULL');
SELECT results_eq(
    $$SELECT c.name::text, p.category_name::text FROM products p JOIN categories c ON c.id = p.category_id WHERE p.wc_product_id = 510$$,
    $$VALUES ('Kitchen & Home', 'Kitchen & Home')$$, 'a category not yet synced: placeholder named from the product, decoded');
SELECT results_eq($$SELECT type::text, name::text FROM products WHERE wc_product_id IN (511, 512) ORDER BY wc_product_id$$,
    $$VALUES ('variation', 'Mug - Blue'), ('variation', 'Color: Red')$$,
    'variations are products; one from /variations (no type or name) is named from its attributes');
SELECT results_eq($$SELECT status::text, type::text FROM products WHERE wc_product_id = 512$$, $$VALUES ('publish', 'variation')$$,
    'status defaults to publish');
SELECT results_eq(
    $$SELECT * FROM woo.upsert_products('a0000000-0000-4000-8000-00000000000a',
        '{"id": 500, "name": "Old Hoodie", "price": "1.00", "date_modified_gmt": "2024-01-01T00:00:00"}')$$,
    $$VALUES (0, 0, 0, 1, 0, 0)$$, 'an older product version is skipped as stale');
SELECT results_eq(
    $$SELECT * FROM woo.upsert_products('a0000000-0000-4000-8000-00000000000a',
        '{"id": 500, "name": "Logo Hoodie", "type": "simple", "price": "39.00", "date_modified_gmt": "2024-03-01T00:00:00"}')$$,
    $$VALUES (0, 1, 0, 0, 0, 0)$$, 'a newer product version is an update');
SELECT throws_ok($$SELECT woo.upsert_products('a0000000-0000-4000-8000-00000000000a', '{"id": 520, "price": "1.00"}')$$,
    '22023', 'products[0] (id 520): name is required', 'a product without a name (and no attributes) is refused');
SELECT throws_ok($$SELECT woo.upsert_products('a0000000-0000-4000-8000-00000000000a', '{"id": 521, "name": "X", "price": "abc"}')$$,
    '22P02', 'products[0] (id 521): price "abc" is not a number', 'bad price (22P02)');

-- Customers, and a guest who registers ---------------------------------------------------
SELECT results_eq(
    $$SELECT * FROM woo.upsert_orders('a0000000-0000-4000-8000-00000000000a',
        '{"id": 700, "status": "completed", "date_created_gmt": "2024-02-05T00:00:00", "total": "20.00", "customer_id": 0,
          "billing": {"first_name": "Grace", "last_name": "Hopper", "email": "Grace@Navy.example"}}')$$,
    $$VALUES (1, 0, 0, 0, 0, 0)$$, 'a guest order');
SELECT results_eq(
    $$SELECT * FROM woo.upsert_customers('a0000000-0000-4000-8000-00000000000a', '[
        {"id": 77, "email": "grace@navy.example", "first_name": "Grace", "last_name": "Hopper", "username": "grace",
         "date_created_gmt": "2024-02-06T00:00:00"},
        {"id": 78, "email": "", "first_name": "", "last_name": "", "username": "anon78", "date_created_gmt": "2024-02-07T00:00:00"}]')$$,
    $$VALUES (1, 1, 0, 0, 0, 0)$$, 'the guest registering is an update of the guest row; the other customer is new');
SELECT results_eq(
    $$SELECT c.wc_customer_id, c.display_name::text, c.created_at FROM orders o JOIN customers c ON c.id = o.customer_id
       WHERE o.wc_order_id = 700$$,
    $$VALUES (77, 'Grace Hopper', '2024-02-06 00:00:00+00'::timestamptz)$$, 'the guest order now belongs to the registered customer');
SELECT is((SELECT count(*)::int FROM customers WHERE email_hash = woo.hash_email('grace@navy.example')), 1, 'one customer row, not two');
SELECT results_eq($$SELECT email_hash, display_name::text FROM customers WHERE wc_customer_id = 78$$,
    $$VALUES (NULL::varchar, 'anon78')$$, 'empty e-mail: no hash; no name: the username');
SELECT results_eq(
    $$SELECT * FROM woo.upsert_customers('a0000000-0000-4000-8000-00000000000a',
        '{"id": 78, "email": "", "first_name": "", "last_name": "", "username": "anon78", "date_created_gmt": "2024-02-07T00:00:00"}')$$,
    $$VALUES (0, 0, 1, 0, 0, 0)$$, 'a customer re-delivered identically is unchanged');
SELECT throws_ok($$SELECT woo.upsert_customers('a0000000-0000-4000-8000-00000000000a', '{"id": 79, "email": 5}')$$,
    '22023', 'customers[0] (id 79): email is not a string', 'a non-string e-mail is refused without echoing it');

-- Coupons ---------------------------------------------------------------------------------
SELECT results_eq(
    $$SELECT * FROM woo.upsert_coupons('a0000000-0000-4000-8000-00000000000a', '[
        {"id": 800, "code": "spring", "discount_type": "percent", "amount": "15.00", "usage_count": 3},
        {"id": 801, "code": "ship", "discount_type": "fixed_cart", "amount": "5.00", "usage_count": 0}]')$$,
    $$VALUES (2, 0, 0, 0, 0, 0)$$, 'two coupons');
SELECT results_eq($$SELECT code::text, discount_type::text, amount, usage_count FROM coupons ORDER BY wc_coupon_id$$,
    $$VALUES ('spring', 'percent', 15.00, 3), ('ship', 'fixed_cart', 5.00, 0)$$, 'coupons mapped');
SELECT results_eq(
    $$SELECT * FROM woo.upsert_coupons('a0000000-0000-4000-8000-00000000000a',
        '{"id": 800, "code": "spring", "discount_type": "percent", "amount": "15.00", "usage_count": 4}')$$,
    $$VALUES (0, 1, 0, 0, 0, 0)$$, 'a used coupon is updated');
SELECT throws_ok($$SELECT woo.upsert_coupons('a0000000-0000-4000-8000-00000000000a', '{"id": 802, "amount": "1.00"}')$$,
    '22023', 'coupons[0] (id 802): code is required', 'a coupon without code is refused');

-- Lenient mode on a catalog resource
SELECT results_eq(
    $$SELECT * FROM woo.upsert_products('a0000000-0000-4000-8000-00000000000a',
        '[{"id": 530, "name": "Ok"}, {"id": 531, "name": "Bad", "regular_price": "1,00"}]', false)$$,
    $$VALUES (1, 0, 0, 0, 0, 1)$$, 'lenient products: the good one written, the bad one rejected');
SELECT is((SELECT error FROM woo.ingest_rejects WHERE resource = 'products'),
          'products[1] (id 531): regular_price "1,00" is not a number', 'and kept with its reason');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM categories c JOIN products p ON p.category_id = c.id WHERE c.store_id <> p.store_id), 0,
          'no cross-store link was made');

SELECT * FROM finish();
ROLLBACK;
