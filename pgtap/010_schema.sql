-- Schema: every seed table of shared/seed/data-model.md, column by column (type, NOT NULL,
-- default), keys, foreign keys and indexes, as deployed by the migrations. The three
-- documented changes to the seed are asserted as such (see README, Migrations).
-- Generated once from the spec text, then kept by hand: columns in the table spec_column.
BEGIN;
SELECT plan(485);

-- Every column asserted here, one row each: its type, NOT NULL or nullable, and
-- its default or none (three assertions per row, below the table).
CREATE TEMP TABLE spec_column (ord serial, sch name, tbl name, col name, type text, not_null boolean, dflt text);
INSERT INTO spec_column (sch, tbl, col, type, not_null, dflt) VALUES
  ('public', 'stores', 'id', 'uuid', true, 'gen_random_uuid()'),
  ('public', 'stores', 'store_url', 'character varying(500)', true, NULL),
  ('public', 'stores', 'api_key_hash', 'character varying(255)', true, NULL),
  ('public', 'stores', 'wc_version', 'character varying(20)', false, NULL),
  ('public', 'stores', 'plan', 'character varying(20)', false, 'free'),
  ('public', 'stores', 'connected_at', 'timestamp with time zone', false, 'now()'),
  ('public', 'stores', 'last_sync_at', 'timestamp with time zone', false, NULL),
  ('public', 'stores', 'settings', 'jsonb', false, '{}'),
  ('public', 'stores', 'is_active', 'boolean', false, 'true'),
  ('public', 'categories', 'id', 'uuid', true, 'gen_random_uuid()'),
  ('public', 'categories', 'store_id', 'uuid', true, NULL),
  ('public', 'categories', 'wc_category_id', 'integer', true, NULL),
  ('public', 'categories', 'name', 'character varying(255)', true, NULL),
  ('public', 'categories', 'parent_id', 'uuid', false, NULL),
  ('public', 'categories', 'product_count', 'integer', false, '0'),
  ('public', 'products', 'id', 'uuid', true, 'gen_random_uuid()'),
  ('public', 'products', 'store_id', 'uuid', true, NULL),
  ('public', 'products', 'wc_product_id', 'integer', true, NULL),
  ('public', 'products', 'name', 'character varying(500)', true, NULL),
  ('public', 'products', 'sku', 'character varying(100)', false, NULL),
  ('public', 'products', 'price', 'numeric(12,2)', false, NULL),
  ('public', 'products', 'regular_price', 'numeric(12,2)', false, NULL),
  ('public', 'products', 'sale_price', 'numeric(12,2)', false, NULL),
  ('public', 'products', 'category_id', 'uuid', false, NULL),
  ('public', 'products', 'category_name', 'character varying(255)', false, NULL),
  ('public', 'products', 'stock_quantity', 'integer', false, NULL),
  ('public', 'products', 'stock_status', 'character varying(50)', false, NULL),
  ('public', 'products', 'status', 'character varying(50)', false, 'publish'),
  ('public', 'products', 'type', 'character varying(50)', false, 'simple'),
  ('public', 'products', 'created_at', 'timestamp with time zone', false, NULL),
  ('public', 'products', 'updated_at', 'timestamp with time zone', false, NULL),
  ('public', 'customers', 'id', 'uuid', true, 'gen_random_uuid()'),
  ('public', 'customers', 'store_id', 'uuid', true, NULL),
  ('public', 'customers', 'wc_customer_id', 'integer', false, NULL),
  ('public', 'customers', 'email_hash', 'character varying(64)', false, NULL),
  ('public', 'customers', 'display_name', 'character varying(255)', false, NULL),
  ('public', 'customers', 'total_spent', 'numeric(12,2)', false, '0'),
  ('public', 'customers', 'order_count', 'integer', false, '0'),
  ('public', 'customers', 'first_order_date', 'timestamp with time zone', false, NULL),
  ('public', 'customers', 'last_order_date', 'timestamp with time zone', false, NULL),
  ('public', 'customers', 'created_at', 'timestamp with time zone', false, NULL),
  ('public', 'orders', 'id', 'uuid', true, 'gen_random_uuid()'),
  ('public', 'orders', 'store_id', 'uuid', true, NULL),
  ('public', 'orders', 'wc_order_id', 'integer', true, NULL),
  ('public', 'orders', 'date_created', 'timestamp with time zone', true, NULL),
  ('public', 'orders', 'date_modified', 'timestamp with time zone', false, NULL),
  ('public', 'orders', 'status', 'character varying(50)', true, NULL),
  ('public', 'orders', 'total', 'numeric(12,2)', true, NULL),
  ('public', 'orders', 'subtotal', 'numeric(12,2)', false, NULL),
  ('public', 'orders', 'tax_total', 'numeric(12,2)', false, NULL),
  ('public', 'orders', 'shipping_total', 'numeric(12,2)', false, NULL),
  ('public', 'orders', 'discount_total', 'numeric(12,2)', false, NULL),
  ('public', 'orders', 'currency', 'character varying(3)', false, 'USD'),
  ('public', 'orders', 'customer_id', 'uuid', false, NULL),
  ('public', 'orders', 'payment_method', 'character varying(100)', false, NULL),
  ('public', 'orders', 'coupon_used', 'character varying(100)', false, NULL),
  ('public', 'order_items', 'id', 'uuid', true, 'gen_random_uuid()'),
  ('public', 'order_items', 'order_id', 'uuid', true, NULL),
  ('public', 'order_items', 'store_id', 'uuid', true, NULL),
  ('public', 'order_items', 'product_id', 'uuid', false, NULL),
  ('public', 'order_items', 'product_name', 'character varying(500)', false, NULL),
  ('public', 'order_items', 'sku', 'character varying(100)', false, NULL),
  ('public', 'order_items', 'quantity', 'numeric', true, '1'),
  ('public', 'order_items', 'subtotal', 'numeric(12,2)', false, NULL),
  ('public', 'order_items', 'total', 'numeric(12,2)', false, NULL),
  ('public', 'coupons', 'id', 'uuid', true, 'gen_random_uuid()'),
  ('public', 'coupons', 'store_id', 'uuid', true, NULL),
  ('public', 'coupons', 'wc_coupon_id', 'integer', true, NULL),
  ('public', 'coupons', 'code', 'character varying(100)', true, NULL),
  ('public', 'coupons', 'discount_type', 'character varying(50)', false, NULL),
  ('public', 'coupons', 'amount', 'numeric(12,2)', false, NULL),
  ('public', 'coupons', 'usage_count', 'integer', false, '0'),
  ('public', 'saved_charts', 'id', 'uuid', true, 'gen_random_uuid()'),
  ('public', 'saved_charts', 'store_id', 'uuid', true, NULL),
  ('public', 'saved_charts', 'title', 'character varying(255)', true, NULL),
  ('public', 'saved_charts', 'query_text', 'text', false, NULL),
  ('public', 'saved_charts', 'chart_config', 'jsonb', true, NULL),
  ('public', 'saved_charts', 'position_index', 'integer', false, '0'),
  ('public', 'saved_charts', 'created_at', 'timestamp with time zone', false, 'now()'),
  ('public', 'saved_charts', 'updated_at', 'timestamp with time zone', false, 'now()'),
  ('public', 'conversations', 'id', 'uuid', true, 'gen_random_uuid()'),
  ('public', 'conversations', 'store_id', 'uuid', true, NULL),
  ('public', 'conversations', 'messages', 'jsonb', true, '[]'),
  ('public', 'conversations', 'created_at', 'timestamp with time zone', false, 'now()'),
  ('public', 'conversations', 'updated_at', 'timestamp with time zone', false, 'now()'),
  ('public', 'sync_logs', 'id', 'uuid', true, 'gen_random_uuid()'),
  ('public', 'sync_logs', 'store_id', 'uuid', true, NULL),
  ('public', 'sync_logs', 'sync_type', 'character varying(50)', true, NULL),
  ('public', 'sync_logs', 'records_synced', 'integer', false, '0'),
  ('public', 'sync_logs', 'started_at', 'timestamp with time zone', false, 'now()'),
  ('public', 'sync_logs', 'completed_at', 'timestamp with time zone', false, NULL),
  ('public', 'sync_logs', 'status', 'character varying(20)', false, 'running'),
  ('public', 'sync_logs', 'error_message', 'text', false, NULL),
  ('public', 'sync_logs', 'retry_count', 'integer', false, '0'),
  ('public', 'sync_logs', 'next_retry_at', 'timestamp with time zone', false, NULL),
  ('public', 'orders', 'refunded_total', 'numeric(12,2)', true, '0'),
  ('public', 'orders', 'payload_hash', 'bytea', false, NULL),
  ('public', 'products', 'payload_hash', 'bytea', false, NULL),
  ('public', 'customers', 'payload_hash', 'bytea', false, NULL),
  ('public', 'categories', 'payload_hash', 'bytea', false, NULL),
  ('public', 'coupons', 'payload_hash', 'bytea', false, NULL),
  ('public', 'refunds', 'id', 'uuid', true, 'gen_random_uuid()'),
  ('public', 'refunds', 'store_id', 'uuid', true, NULL),
  ('public', 'refunds', 'order_id', 'uuid', true, NULL),
  ('public', 'refunds', 'wc_refund_id', 'integer', true, NULL),
  ('public', 'refunds', 'amount', 'numeric(12,2)', true, NULL),
  ('public', 'refunds', 'reason', 'text', false, NULL),
  ('public', 'refunds', 'date_created', 'timestamp with time zone', true, NULL),
  ('public', 'refunds', 'date_exact', 'boolean', true, 'false'),
  ('public', 'sales_daily', 'store_id', 'uuid', true, NULL),
  ('public', 'sales_daily', 'day', 'date', true, NULL),
  ('public', 'sales_daily', 'slot', 'smallint', true, '0'),
  ('public', 'sales_daily', 'orders', 'integer', true, '0'),
  ('public', 'sales_daily', 'items_sold', 'numeric', true, '0'),
  ('public', 'sales_daily', 'gross_sales', 'numeric', true, '0'),
  ('public', 'sales_daily', 'discounts', 'numeric', true, '0'),
  ('public', 'sales_daily', 'refunds', 'numeric', true, '0'),
  ('public', 'sales_daily', 'taxes', 'numeric', true, '0'),
  ('public', 'sales_daily', 'shipping', 'numeric', true, '0'),
  ('woo', 'load_checkpoints', 'store_id', 'uuid', true, NULL),
  ('woo', 'load_checkpoints', 'sync_id', 'uuid', true, NULL),
  ('woo', 'load_checkpoints', 'source', 'text', true, NULL),
  ('woo', 'load_checkpoints', 'first_record', 'bigint', true, NULL),
  ('woo', 'load_checkpoints', 'records', 'integer', true, NULL),
  ('woo', 'load_checkpoints', 'resource', 'character varying(20)', true, NULL),
  ('woo', 'load_checkpoints', 'inserted', 'integer', true, NULL),
  ('woo', 'load_checkpoints', 'updated', 'integer', true, NULL),
  ('woo', 'load_checkpoints', 'unchanged', 'integer', true, NULL),
  ('woo', 'load_checkpoints', 'skipped_stale', 'integer', true, NULL),
  ('woo', 'load_checkpoints', 'rejected', 'integer', true, NULL),
  ('woo', 'load_checkpoints', 'committed_at', 'timestamp with time zone', true, 'now()');
SELECT col_type_is(sch, tbl, col, type, format('%s.%s is %s', tbl, col, type)) FROM spec_column ORDER BY ord;
SELECT CASE WHEN not_null THEN col_not_null(sch, tbl, col, format('%s.%s is NOT NULL', tbl, col))
            ELSE col_is_null(sch, tbl, col, format('%s.%s is nullable', tbl, col)) END
  FROM spec_column ORDER BY ord;
SELECT CASE WHEN dflt IS NULL THEN col_hasnt_default(sch, tbl, col, format('%s.%s has no default', tbl, col))
            ELSE col_default_is(sch, tbl, col, dflt, format('%s.%s defaults to %s', tbl, col, dflt)) END
  FROM spec_column ORDER BY ord;

SELECT has_table('public', 'stores', 'table stores exists');
SELECT columns_are('public', 'stores', ARRAY['id', 'store_url', 'api_key_hash', 'wc_version', 'plan', 'connected_at', 'last_sync_at', 'settings', 'is_active'], 'stores: exactly the seed columns (plus documented additions)');
SELECT col_is_pk('public', 'stores', 'id', 'stores.id is the primary key');
SELECT col_is_unique('public', 'stores', ARRAY['store_url'], 'stores: store_url is UNIQUE');
SELECT has_table('public', 'categories', 'table categories exists');
SELECT columns_are('public', 'categories', ARRAY['id', 'store_id', 'wc_category_id', 'name', 'parent_id', 'product_count', 'payload_hash'], 'categories: exactly the seed columns (plus documented additions)');
SELECT col_is_pk('public', 'categories', 'id', 'categories.id is the primary key');
SELECT fk_ok('public', 'categories', 'store_id', 'public', 'stores', 'id', 'categories.store_id references stores(id)');
SELECT fk_ok('public', 'categories', 'parent_id', 'public', 'categories', 'id', 'categories.parent_id references categories(id)');
SELECT col_is_unique('public', 'categories', ARRAY['store_id', 'wc_category_id'], 'categories: UNIQUE(store_id, wc_category_id)');
SELECT has_table('public', 'products', 'table products exists');
SELECT columns_are('public', 'products', ARRAY['id', 'store_id', 'wc_product_id', 'name', 'sku', 'price', 'regular_price', 'sale_price', 'category_id', 'category_name', 'stock_quantity', 'stock_status', 'status', 'type', 'created_at', 'updated_at', 'payload_hash'], 'products: exactly the seed columns (plus documented additions)');
SELECT col_is_pk('public', 'products', 'id', 'products.id is the primary key');
SELECT fk_ok('public', 'products', 'store_id', 'public', 'stores', 'id', 'products.store_id references stores(id)');
SELECT fk_ok('public', 'products', 'category_id', 'public', 'categories', 'id', 'products.category_id references categories(id)');
SELECT col_is_unique('public', 'products', ARRAY['store_id', 'wc_product_id'], 'products: UNIQUE(store_id, wc_product_id)');
SELECT has_index('public', 'products', 'idx_products_store', ARRAY['store_id'], 'index idx_products_store on products(store_id)');
SELECT has_index('public', 'products', 'idx_products_category', ARRAY['store_id', 'category_id'], 'index idx_products_category on products(store_id, category_id)');
SELECT has_table('public', 'customers', 'table customers exists');
SELECT columns_are('public', 'customers', ARRAY['id', 'store_id', 'wc_customer_id', 'email_hash', 'display_name', 'total_spent', 'order_count', 'first_order_date', 'last_order_date', 'created_at', 'payload_hash'], 'customers: exactly the seed columns (plus documented additions)');
SELECT col_is_pk('public', 'customers', 'id', 'customers.id is the primary key');
SELECT fk_ok('public', 'customers', 'store_id', 'public', 'stores', 'id', 'customers.store_id references stores(id)');
SELECT col_is_unique('public', 'customers', ARRAY['store_id', 'wc_customer_id'], 'customers: UNIQUE(store_id, wc_customer_id)');
SELECT has_index('public', 'customers', 'idx_customers_store', ARRAY['store_id'], 'index idx_customers_store on customers(store_id)');
SELECT has_table('public', 'orders', 'table orders exists');
SELECT columns_are('public', 'orders', ARRAY['id', 'store_id', 'wc_order_id', 'date_created', 'date_modified', 'status', 'total', 'subtotal', 'tax_total', 'shipping_total', 'discount_total', 'currency', 'customer_id', 'payment_method', 'coupon_used', 'refunded_total', 'payload_hash'], 'orders: exactly the seed columns (plus documented additions)');
SELECT col_is_pk('public', 'orders', 'id', 'orders.id is the primary key');
SELECT fk_ok('public', 'orders', 'store_id', 'public', 'stores', 'id', 'orders.store_id references stores(id)');
SELECT fk_ok('public', 'orders', 'customer_id', 'public', 'customers', 'id', 'orders.customer_id references customers(id)');
SELECT col_is_unique('public', 'orders', ARRAY['store_id', 'wc_order_id'], 'orders: UNIQUE(store_id, wc_order_id)');
SELECT has_index('public', 'orders', 'idx_orders_store_date', ARRAY['store_id', 'date_created'], 'index idx_orders_store_date on orders(store_id, date_created)');
SELECT has_index('public', 'orders', 'idx_orders_store_status', ARRAY['store_id', 'status'], 'index idx_orders_store_status on orders(store_id, status)');
SELECT has_table('public', 'order_items', 'table order_items exists');
SELECT columns_are('public', 'order_items', ARRAY['id', 'order_id', 'store_id', 'product_id', 'product_name', 'sku', 'quantity', 'subtotal', 'total'], 'order_items: exactly the seed columns (plus documented additions)');
SELECT col_is_pk('public', 'order_items', 'id', 'order_items.id is the primary key');
SELECT fk_ok('public', 'order_items', 'order_id', 'public', 'orders', 'id', 'order_items.order_id references orders(id)');
SELECT is((SELECT confdeltype::text FROM pg_constraint WHERE conrelid = 'public.order_items'::regclass AND contype = 'f' AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = 'public.order_items'::regclass AND attname = 'order_id')]::int2[]), 'c', 'order_items.order_id: ON DELETE CASCADE');
SELECT fk_ok('public', 'order_items', 'store_id', 'public', 'stores', 'id', 'order_items.store_id references stores(id)');
SELECT fk_ok('public', 'order_items', 'product_id', 'public', 'products', 'id', 'order_items.product_id references products(id)');
SELECT has_index('public', 'order_items', 'idx_order_items_store', ARRAY['store_id'], 'index idx_order_items_store on order_items(store_id)');
SELECT has_index('public', 'order_items', 'idx_order_items_product', ARRAY['product_id'], 'index idx_order_items_product on order_items(product_id)');
SELECT has_table('public', 'coupons', 'table coupons exists');
SELECT columns_are('public', 'coupons', ARRAY['id', 'store_id', 'wc_coupon_id', 'code', 'discount_type', 'amount', 'usage_count', 'payload_hash', 'date_modified'], 'coupons: exactly the seed columns (plus documented additions)');
SELECT col_is_pk('public', 'coupons', 'id', 'coupons.id is the primary key');
SELECT fk_ok('public', 'coupons', 'store_id', 'public', 'stores', 'id', 'coupons.store_id references stores(id)');
SELECT col_is_unique('public', 'coupons', ARRAY['store_id', 'wc_coupon_id'], 'coupons: UNIQUE(store_id, wc_coupon_id)');
SELECT has_table('public', 'saved_charts', 'table saved_charts exists');
SELECT columns_are('public', 'saved_charts', ARRAY['id', 'store_id', 'title', 'query_text', 'chart_config', 'position_index', 'created_at', 'updated_at'], 'saved_charts: exactly the seed columns (plus documented additions)');
SELECT col_is_pk('public', 'saved_charts', 'id', 'saved_charts.id is the primary key');
SELECT fk_ok('public', 'saved_charts', 'store_id', 'public', 'stores', 'id', 'saved_charts.store_id references stores(id)');
SELECT has_table('public', 'conversations', 'table conversations exists');
SELECT columns_are('public', 'conversations', ARRAY['id', 'store_id', 'messages', 'created_at', 'updated_at'], 'conversations: exactly the seed columns (plus documented additions)');
SELECT col_is_pk('public', 'conversations', 'id', 'conversations.id is the primary key');
SELECT fk_ok('public', 'conversations', 'store_id', 'public', 'stores', 'id', 'conversations.store_id references stores(id)');
SELECT has_table('public', 'sync_logs', 'table sync_logs exists');
SELECT columns_are('public', 'sync_logs', ARRAY['id', 'store_id', 'sync_type', 'records_synced', 'started_at', 'completed_at', 'status', 'error_message', 'retry_count', 'next_retry_at'], 'sync_logs: exactly the seed columns (plus documented additions)');
SELECT col_is_pk('public', 'sync_logs', 'id', 'sync_logs.id is the primary key');
SELECT fk_ok('public', 'sync_logs', 'store_id', 'public', 'stores', 'id', 'sync_logs.store_id references stores(id)');
-- Documented additions to the seed, each by its own migration (README, Migrations).
SELECT has_index('public', 'orders', 'idx_orders_store_customer', ARRAY['store_id', 'customer_id'], 'index idx_orders_store_customer on orders(store_id, customer_id) (migration orders_customer_index)');
SELECT has_index('public', 'customers', 'customers_store_guest_email_key', ARRAY['store_id', 'email_hash'], 'index customers_store_guest_email_key on customers(store_id, email_hash) (migration guest_customers)');
SELECT index_is_unique('public', 'customers', 'customers_store_guest_email_key', 'customers_store_guest_email_key is UNIQUE');
SELECT col_is_unique('public', 'sync_logs', ARRAY['store_id', 'id'], 'sync_logs: UNIQUE(store_id, id), the same-store target of woo.load_checkpoints (migration load_checkpoints)');
-- Issue 14: refunds as dated rows (migration refunds) and the day-level rollup (migration sales_daily).
SELECT has_table('public', 'refunds', 'table refunds exists');
SELECT columns_are('public', 'refunds', ARRAY['id', 'store_id', 'order_id', 'wc_refund_id', 'amount', 'reason', 'date_created', 'date_exact'], 'refunds: exactly its columns');
SELECT col_is_pk('public', 'refunds', 'id', 'refunds.id is the primary key');
SELECT fk_ok('public', 'refunds', 'store_id', 'public', 'stores', 'id', 'refunds.store_id references stores(id)');
SELECT fk_ok('public', 'refunds', ARRAY['store_id', 'order_id'], 'public', 'orders', ARRAY['store_id', 'id'], 'refunds (store_id, order_id) references orders (store_id, id): same store');
SELECT is((SELECT confdeltype::text FROM pg_constraint WHERE conname = 'refunds_order_same_store'), 'c', 'refunds go with their order: ON DELETE CASCADE');
SELECT col_is_unique('public', 'refunds', ARRAY['store_id', 'order_id', 'wc_refund_id'], 'refunds: UNIQUE(store_id, order_id, wc_refund_id)');
SELECT has_index('public', 'refunds', 'idx_refunds_store_date', ARRAY['store_id', 'date_created'], 'index idx_refunds_store_date on refunds(store_id, date_created)');
SELECT has_table('public', 'sales_daily', 'table sales_daily exists');
SELECT columns_are('public', 'sales_daily', ARRAY['store_id', 'day', 'slot', 'orders', 'items_sold', 'gross_sales', 'discounts', 'refunds', 'taxes', 'shipping'], 'sales_daily: exactly its columns');
SELECT col_is_pk('public', 'sales_daily', ARRAY['store_id', 'day', 'slot'], 'sales_daily: PRIMARY KEY (store_id, day, slot)');
SELECT fk_ok('public', 'sales_daily', 'store_id', 'public', 'stores', 'id', 'sales_daily.store_id references stores(id)');
SELECT is((SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'public.sales_daily'::regclass AND contype = 'c'),
          'CHECK (((slot >= 0) AND (slot <= 7)))', 'sales_daily.slot is 0 to 7');
SELECT results_eq($$SELECT c.relname::text COLLATE "default", array_to_string(c.reloptions, ',') COLLATE "default" FROM pg_class c
                     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v' ORDER BY 1$$,
                  $$VALUES ('customer_segments', 'security_invoker=true'), ('metrics_coupon_daily', 'security_invoker=true'),
                           ('metrics_daily', 'security_invoker=true'), ('metrics_product_daily', 'security_invoker=true')$$,
                  'public has exactly the four canonical views, each security_invoker (RLS of the reader)');
SELECT tables_are('public', ARRAY['stores', 'categories', 'products', 'customers', 'orders', 'order_items', 'coupons', 'saved_charts', 'conversations', 'sync_logs', 'refunds', 'sales_daily'], 'public has exactly the ten seed tables, refunds and sales_daily');
SELECT is(ARRAY(SELECT table_schema || '.' || table_name || '.' || column_name FROM information_schema.columns
                  WHERE table_schema IN ('public', 'woo') AND data_type = 'timestamp without time zone' ORDER BY 1),
          '{}'::text[], 'every timestamp column (public and woo) is timestamptz (UTC)');
SELECT is(ARRAY(SELECT c.table_name::text FROM information_schema.columns c
                  JOIN information_schema.tables t USING (table_schema, table_name)
                 WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
                   AND c.column_name = 'store_id' AND c.data_type = 'uuid' AND c.is_nullable = 'NO'
                 ORDER BY 1),
          ARRAY['categories', 'conversations', 'coupons', 'customers', 'order_items', 'orders', 'products', 'refunds', 'sales_daily', 'saved_charts', 'sync_logs'],
          'every table but stores has store_id uuid NOT NULL');
SELECT is(ARRAY(SELECT t.relname::text FROM pg_class t
                 WHERE t.relnamespace = 'public'::regnamespace AND t.relkind IN ('r', 'p') AND t.relname <> 'stores'
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                                    WHERE k.conrelid = t.oid AND k.contype = 'f'
                                      AND k.confrelid = 'public.stores'::regclass
                                      AND k.conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = t.oid AND attname = 'store_id')]::int2[]
                                      AND k.confkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = 'public.stores'::regclass AND attname = 'id')]::int2[])
                 ORDER BY 1),
          '{}'::text[], 'every table but stores has a foreign key store_id -> stores(id)');
SELECT is(ARRAY(SELECT table_name || '.' || column_name FROM information_schema.columns
                 WHERE table_schema = 'public' AND column_name ILIKE '%mail%' ORDER BY 1),
          ARRAY['customers.email_hash'], 'no plaintext e-mail column: the only e-mail column in public is customers.email_hash');
SELECT hasnt_column('public', 'customers', 'email', 'customers has no email column');
-- woo.load_checkpoints (migration load_checkpoints): the checkpoints of the bulk loader woo-load.
SELECT has_table('woo', 'load_checkpoints', 'table woo.load_checkpoints exists');
SELECT columns_are('woo', 'load_checkpoints', ARRAY['store_id', 'sync_id', 'source', 'first_record', 'records', 'resource', 'inserted', 'updated', 'unchanged', 'skipped_stale', 'rejected', 'committed_at'], 'woo.load_checkpoints: exactly its columns');
SELECT col_is_pk('woo', 'load_checkpoints', ARRAY['store_id', 'sync_id', 'source', 'first_record'], 'woo.load_checkpoints: PRIMARY KEY (store_id, sync_id, source, first_record)');
SELECT indexes_are('woo', 'load_checkpoints', ARRAY['load_checkpoints_pkey'], 'woo.load_checkpoints has exactly its primary key index');
SELECT fk_ok('woo', 'load_checkpoints', 'store_id', 'public', 'stores', 'id', 'load_checkpoints.store_id references stores(id)');
SELECT fk_ok('woo', 'load_checkpoints', ARRAY['store_id', 'sync_id'], 'public', 'sync_logs', ARRAY['store_id', 'id'], 'load_checkpoints (store_id, sync_id) references sync_logs (store_id, id): same store');
SELECT results_eq(
    $$SELECT (SELECT array_agg(attname::text COLLATE "default" ORDER BY k.i) FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                JOIN pg_attribute ON attrelid = c.conrelid AND attnum = k.n),
             (SELECT (relnamespace::regnamespace::text || '.' || relname) COLLATE "default" FROM pg_class WHERE oid = c.confrelid),
             (SELECT array_agg(attname::text COLLATE "default" ORDER BY k.i) FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                JOIN pg_attribute ON attrelid = c.confrelid AND attnum = k.n),
             c.confdeltype::text
        FROM pg_constraint c WHERE c.conrelid = 'woo.load_checkpoints'::regclass AND c.contype = 'f' ORDER BY c.conname$$,
    $$VALUES (ARRAY['store_id'], 'public.stores', ARRAY['id'], 'a'),
             (ARRAY['store_id', 'sync_id'], 'public.sync_logs', ARRAY['store_id', 'id'], 'c')$$,
    'woo.load_checkpoints has exactly two foreign keys: store_id -> stores (NO ACTION), (store_id, sync_id) -> sync_logs ON DELETE CASCADE');
SELECT results_eq(
    $$SELECT pg_get_constraintdef(oid) COLLATE "default" FROM pg_constraint
       WHERE conrelid = 'woo.load_checkpoints'::regclass AND contype = 'c' ORDER BY conname$$,
    $$VALUES ('CHECK ((first_record >= 1))'),
             ('CHECK ((records >= 1))'),
             ('CHECK (((resource)::text = ANY ((ARRAY[''orders''::character varying, ''products''::character varying, ''customers''::character varying, ''categories''::character varying, ''coupons''::character varying])::text[])))')$$,
    'woo.load_checkpoints has exactly its three CHECKs: first_record >= 1, records >= 1, resource one of the five');
SELECT isnt(obj_description('woo.load_checkpoints'::regclass, 'pg_class'), NULL, 'woo.load_checkpoints has a comment');
SELECT tables_are('woo', ARRAY['ingest_rejects', 'load_checkpoints'], 'woo has exactly the tables ingest_rejects and load_checkpoints');

SELECT * FROM finish();
ROLLBACK;
