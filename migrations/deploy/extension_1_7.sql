-- Deploy pg_woocommerce:extension_1_7 to pg
-- pg_woocommerce 1.7. Each issue's part is delimited by "-- ==== issue N" markers.
-- requires: extension_1_6
BEGIN;
-- ==== issue 14: the rollup's triggers in C, one rollup write per woo.upsert_orders write ====
-- Same triggers, same events, same definitions: the rollup stays as it is. 1.6's
-- trigger functions go with the update, so their triggers go first.
DROP TRIGGER sales_daily_orders_insert ON public.orders;
DROP TRIGGER sales_daily_orders_update ON public.orders;
DROP TRIGGER sales_daily_orders_delete ON public.orders;
DROP TRIGGER sales_daily_items_insert ON public.order_items;
DROP TRIGGER sales_daily_items_update ON public.order_items;
DROP TRIGGER sales_daily_items_delete ON public.order_items;
DROP TRIGGER sales_daily_refunds_insert ON public.refunds;
DROP TRIGGER sales_daily_refunds_update ON public.refunds;
DROP TRIGGER sales_daily_refunds_delete ON public.refunds;
ALTER EXTENSION pg_woocommerce UPDATE TO '1.7';
CREATE TRIGGER sales_daily_orders_insert AFTER INSERT ON public.orders
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_trigger('orders');
CREATE TRIGGER sales_daily_orders_update AFTER UPDATE ON public.orders
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_trigger('orders');
CREATE TRIGGER sales_daily_orders_delete BEFORE DELETE ON public.orders
    FOR EACH ROW EXECUTE FUNCTION woo._sales_daily_trigger('orders');
CREATE TRIGGER sales_daily_items_insert AFTER INSERT ON public.order_items
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_trigger('order_items');
CREATE TRIGGER sales_daily_items_update AFTER UPDATE ON public.order_items
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_trigger('order_items');
CREATE TRIGGER sales_daily_items_delete AFTER DELETE ON public.order_items
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_trigger('order_items');
CREATE TRIGGER sales_daily_refunds_insert AFTER INSERT ON public.refunds
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_trigger('refunds');
CREATE TRIGGER sales_daily_refunds_update AFTER UPDATE ON public.refunds
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_trigger('refunds');
CREATE TRIGGER sales_daily_refunds_delete AFTER DELETE ON public.refunds
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_trigger('refunds');
-- woo.upsert_orders (woo_app) writes the deltas of each write through it.
GRANT EXECUTE ON FUNCTION woo._sales_daily_flush() TO woo_app;
-- ==== end issue 14 ====
COMMIT;
