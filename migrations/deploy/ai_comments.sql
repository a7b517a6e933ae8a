-- Deploy pg_woocommerce:ai_comments to pg
-- Comments for a model (issue 14): every column of the seed tables the AI role
-- can read says what it means, its unit, its allowed values and its time zone
-- rule (woo.ai_context() shows them). Table comments of the seed stay as they are.
-- requires: privileges
-- requires: payload_hash
-- requires: order_refunds
-- requires: conversations
-- requires: sync_logs
-- requires: coupons_date_modified
BEGIN;
COMMENT ON COLUMN public.stores.id IS 'Store id (uuid); the bound store is woo.current_store()';
COMMENT ON COLUMN public.stores.store_url IS 'The stores normalized URL (https://host[/path]), unique';
COMMENT ON COLUMN public.stores.wc_version IS 'WooCommerce version reported by the store, text such as 8.5.2; may be NULL';
COMMENT ON COLUMN public.stores.plan IS 'SaaS plan: free | starter | pro | agency';
COMMENT ON COLUMN public.stores.connected_at IS 'When the store was connected; timestamptz, stored in UTC; convert with AT TIME ZONE the stores time zone for local days';
COMMENT ON COLUMN public.stores.last_sync_at IS 'When the last sync completed; timestamptz, stored in UTC; convert with AT TIME ZONE the stores time zone for local days; NULL before the first';
COMMENT ON COLUMN public.stores.is_active IS 'false once the store is deactivated (no more syncs)';
COMMENT ON COLUMN public.orders.id IS 'Order row id (uuid); order_items.order_id and refunds.order_id point here';
COMMENT ON COLUMN public.orders.store_id IS 'Owning store (stores.id); a query sees only the bound stores rows';
COMMENT ON COLUMN public.orders.wc_order_id IS 'WooCommerce order number, unique per store';
COMMENT ON COLUMN public.orders.date_created IS 'When the order was placed; timestamptz, stored in UTC; convert with AT TIME ZONE the stores time zone for local days. Sales metrics count an order on this local day';
COMMENT ON COLUMN public.orders.date_modified IS 'Last modification in WooCommerce; timestamptz, stored in UTC; convert with AT TIME ZONE the stores time zone for local days';
COMMENT ON COLUMN public.orders.status IS 'WooCommerce status: pending | processing | on-hold | completed | cancelled | refunded | failed | trash | checkout-draft (or a plugins); the stores excluded statuses (default pending, failed, cancelled, trash, checkout-draft) do not count in sales';
COMMENT ON COLUMN public.orders.total IS 'Order total paid, tax and shipping included, before refunds; in currency (2 decimals)';
COMMENT ON COLUMN public.orders.subtotal IS 'Sum of line subtotals (before discounts), in currency';
COMMENT ON COLUMN public.orders.tax_total IS 'Total tax of the order, in currency';
COMMENT ON COLUMN public.orders.shipping_total IS 'Shipping charged, tax excluded, in currency';
COMMENT ON COLUMN public.orders.discount_total IS 'Coupon discounts, tax excluded, positive, in currency';
COMMENT ON COLUMN public.orders.currency IS 'ISO 4217 currency code of the amounts, e.g. USD, EUR';
COMMENT ON COLUMN public.orders.customer_id IS 'The customer (customers.id), registered or guest; NULL when unknown';
COMMENT ON COLUMN public.orders.payment_method IS 'WooCommerce payment method id, e.g. stripe, paypal, cod, bacs';
COMMENT ON COLUMN public.orders.coupon_used IS 'Coupon codes used, comma-separated (lower case as WooCommerce stores them); NULL when none';
COMMENT ON COLUMN public.orders.payload_hash IS 'Internal: SHA-256 of the last applied payload (bytea); not a business field';
COMMENT ON COLUMN public.order_items.id IS 'Line item row id (uuid)';
COMMENT ON COLUMN public.order_items.order_id IS 'The order (orders.id); the item counts on its orders day and status';
COMMENT ON COLUMN public.order_items.store_id IS 'Owning store (stores.id); a query sees only the bound stores rows';
COMMENT ON COLUMN public.order_items.product_id IS 'The product or variation (products.id); NULL when the line had no product';
COMMENT ON COLUMN public.order_items.product_name IS 'Product name as on the order';
COMMENT ON COLUMN public.order_items.sku IS 'SKU as on the order; NULL when empty';
COMMENT ON COLUMN public.order_items.subtotal IS 'Line amount before discounts, tax excluded, in the orders currency';
COMMENT ON COLUMN public.order_items.total IS 'Line amount after discounts, tax excluded, in the orders currency';
COMMENT ON COLUMN public.products.id IS 'Product row id (uuid); variations are products too';
COMMENT ON COLUMN public.products.store_id IS 'Owning store (stores.id); a query sees only the bound stores rows';
COMMENT ON COLUMN public.products.wc_product_id IS 'WooCommerce product (or variation) id, unique per store';
COMMENT ON COLUMN public.products.name IS 'Product name (empty for a placeholder created from an order before the product synced)';
COMMENT ON COLUMN public.products.sku IS 'Stock keeping unit; NULL when none';
COMMENT ON COLUMN public.products.price IS 'Current price, in the stores currency';
COMMENT ON COLUMN public.products.regular_price IS 'Regular price, in the stores currency';
COMMENT ON COLUMN public.products.sale_price IS 'Sale price, in the stores currency; NULL when not on sale';
COMMENT ON COLUMN public.products.category_id IS 'Primary category (categories.id)';
COMMENT ON COLUMN public.products.category_name IS 'Primary category name';
COMMENT ON COLUMN public.products.stock_quantity IS 'Units in stock; NULL when stock is not managed';
COMMENT ON COLUMN public.products.stock_status IS 'instock | outofstock | onbackorder';
COMMENT ON COLUMN public.products.status IS 'publish | draft | pending | private';
COMMENT ON COLUMN public.products.type IS 'simple | variable | variation | grouped | external';
COMMENT ON COLUMN public.products.created_at IS 'When the product was created in WooCommerce; timestamptz, stored in UTC; convert with AT TIME ZONE the stores time zone for local days';
COMMENT ON COLUMN public.products.updated_at IS 'Last modification in WooCommerce; timestamptz, stored in UTC; convert with AT TIME ZONE the stores time zone for local days';
COMMENT ON COLUMN public.products.payload_hash IS 'Internal: SHA-256 of the last applied payload (bytea); not a business field';
COMMENT ON COLUMN public.customers.id IS 'Customer row id (uuid)';
COMMENT ON COLUMN public.customers.store_id IS 'Owning store (stores.id); a query sees only the bound stores rows';
COMMENT ON COLUMN public.customers.wc_customer_id IS 'WooCommerce customer id; NULL for a guest customer';
COMMENT ON COLUMN public.customers.display_name IS 'Name shown for the customer (billing first and last name)';
COMMENT ON COLUMN public.customers.total_spent IS 'Lifetime spend: sum of total - refunded_total over the customers counted orders, in currency';
COMMENT ON COLUMN public.customers.order_count IS 'Number of counted orders (excluded statuses left out)';
COMMENT ON COLUMN public.customers.first_order_date IS 'date_created of the first counted order; timestamptz, stored in UTC; convert with AT TIME ZONE the stores time zone for local days';
COMMENT ON COLUMN public.customers.last_order_date IS 'date_created of the last counted order; timestamptz, stored in UTC; convert with AT TIME ZONE the stores time zone for local days';
COMMENT ON COLUMN public.customers.created_at IS 'When the customer registered in WooCommerce; timestamptz, stored in UTC; convert with AT TIME ZONE the stores time zone for local days';
COMMENT ON COLUMN public.categories.id IS 'Category row id (uuid)';
COMMENT ON COLUMN public.categories.store_id IS 'Owning store (stores.id); a query sees only the bound stores rows';
COMMENT ON COLUMN public.categories.wc_category_id IS 'WooCommerce category id, unique per store';
COMMENT ON COLUMN public.categories.name IS 'Category name';
COMMENT ON COLUMN public.categories.parent_id IS 'Parent category (categories.id); NULL for a top-level category';
COMMENT ON COLUMN public.categories.product_count IS 'Number of products WooCommerce reports in the category';
COMMENT ON COLUMN public.categories.payload_hash IS 'Internal: SHA-256 of the last applied payload (bytea); not a business field';
COMMENT ON TABLE public.coupons IS 'WooCommerce coupons (definitions; their use per day is in metrics_coupon_daily)';
COMMENT ON COLUMN public.coupons.id IS 'Coupon row id (uuid)';
COMMENT ON COLUMN public.coupons.store_id IS 'Owning store (stores.id); a query sees only the bound stores rows';
COMMENT ON COLUMN public.coupons.wc_coupon_id IS 'WooCommerce coupon id, unique per store';
COMMENT ON COLUMN public.coupons.code IS 'Coupon code, as orders.coupon_used lists it';
COMMENT ON COLUMN public.coupons.discount_type IS 'percent | fixed_cart | fixed_product';
COMMENT ON COLUMN public.coupons.amount IS 'Discount amount: a percentage for percent, else currency';
COMMENT ON COLUMN public.coupons.usage_count IS 'Times used, as WooCommerce counts it';
COMMENT ON COLUMN public.coupons.payload_hash IS 'Internal: SHA-256 of the last applied payload (bytea); not a business field';
COMMENT ON COLUMN public.saved_charts.id IS 'Chart id (uuid)';
COMMENT ON COLUMN public.saved_charts.store_id IS 'Owning store (stores.id); a query sees only the bound stores rows';
COMMENT ON COLUMN public.saved_charts.title IS 'Chart title shown on the dashboard';
COMMENT ON COLUMN public.saved_charts.query_text IS 'The SELECT the chart runs through woo.ai_query';
COMMENT ON COLUMN public.saved_charts.chart_config IS 'Chart options (jsonb): type, x/y fields';
COMMENT ON COLUMN public.saved_charts.position_index IS 'Position on the dashboard, 0 first, dense per store';
COMMENT ON COLUMN public.saved_charts.created_at IS 'When the chart was saved; timestamptz, stored in UTC; convert with AT TIME ZONE the stores time zone for local days';
COMMENT ON COLUMN public.saved_charts.updated_at IS 'Last change; timestamptz, stored in UTC; convert with AT TIME ZONE the stores time zone for local days';
COMMENT ON COLUMN public.conversations.id IS 'Conversation id (uuid)';
COMMENT ON COLUMN public.conversations.store_id IS 'Owning store (stores.id); a query sees only the bound stores rows';
COMMENT ON COLUMN public.conversations.messages IS 'The messages (jsonb array of {role, content, ...}), addresses redacted';
COMMENT ON COLUMN public.conversations.created_at IS 'When the conversation started; timestamptz, stored in UTC; convert with AT TIME ZONE the stores time zone for local days';
COMMENT ON COLUMN public.conversations.updated_at IS 'Last message; timestamptz, stored in UTC; convert with AT TIME ZONE the stores time zone for local days';
COMMENT ON COLUMN public.sync_logs.id IS 'Sync id (uuid)';
COMMENT ON COLUMN public.sync_logs.store_id IS 'Owning store (stores.id); a query sees only the bound stores rows';
COMMENT ON COLUMN public.sync_logs.sync_type IS 'full | incremental | orders | products | customers | categories | coupons';
COMMENT ON COLUMN public.sync_logs.records_synced IS 'Records written by the sync';
COMMENT ON COLUMN public.sync_logs.status IS 'running | completed | failed';
COMMENT ON COLUMN public.sync_logs.error_message IS 'Why the sync failed; NULL otherwise';
COMMENT ON COLUMN public.sync_logs.started_at IS 'When the sync started; timestamptz, stored in UTC; convert with AT TIME ZONE the stores time zone for local days';
COMMENT ON COLUMN public.sync_logs.completed_at IS 'When the sync ended; timestamptz, stored in UTC; convert with AT TIME ZONE the stores time zone for local days';
COMMENT ON COLUMN public.sync_logs.retry_count IS 'Failures in a row';
COMMENT ON COLUMN public.sync_logs.next_retry_at IS 'When a failed sync is retried; timestamptz, stored in UTC; convert with AT TIME ZONE the stores time zone for local days';
COMMIT;
