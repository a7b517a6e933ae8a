-- Revert pg_woocommerce:extension_1_7 from pg
BEGIN;
-- ==== issue 14: the rollup's triggers in plpgsql again (1.6) ====
DROP TRIGGER sales_daily_orders_insert ON public.orders;
DROP TRIGGER sales_daily_orders_update ON public.orders;
DROP TRIGGER sales_daily_orders_delete ON public.orders;
DROP TRIGGER sales_daily_items_insert ON public.order_items;
DROP TRIGGER sales_daily_items_update ON public.order_items;
DROP TRIGGER sales_daily_items_delete ON public.order_items;
DROP TRIGGER sales_daily_refunds_insert ON public.refunds;
DROP TRIGGER sales_daily_refunds_update ON public.refunds;
DROP TRIGGER sales_daily_refunds_delete ON public.refunds;
ALTER EXTENSION pg_woocommerce UPDATE TO '1.6';
CREATE TRIGGER sales_daily_orders_insert AFTER INSERT ON public.orders
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_orders();
CREATE TRIGGER sales_daily_orders_update AFTER UPDATE ON public.orders
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_orders();
CREATE TRIGGER sales_daily_orders_delete BEFORE DELETE ON public.orders
    FOR EACH ROW EXECUTE FUNCTION woo._sales_daily_orders();
CREATE TRIGGER sales_daily_items_insert AFTER INSERT ON public.order_items
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_items();
CREATE TRIGGER sales_daily_items_update AFTER UPDATE ON public.order_items
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_items();
CREATE TRIGGER sales_daily_items_delete AFTER DELETE ON public.order_items
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_items();
CREATE TRIGGER sales_daily_refunds_insert AFTER INSERT ON public.refunds
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_refunds();
CREATE TRIGGER sales_daily_refunds_update AFTER UPDATE ON public.refunds
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_refunds();
CREATE TRIGGER sales_daily_refunds_delete AFTER DELETE ON public.refunds
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION woo._sales_daily_refunds();
-- ==== end issue 14 ====
COMMIT;
