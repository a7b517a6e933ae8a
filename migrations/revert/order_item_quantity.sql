-- Revert pg_woocommerce:order_item_quantity from pg
-- Fails while a fractional quantity is stored (it would be rounded).
BEGIN;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM public.order_items WHERE quantity <> trunc(quantity)) THEN
        RAISE EXCEPTION 'order_items holds fractional quantities: reverting would round them'
            USING ERRCODE = '22003';
    END IF;
END $$;
COMMENT ON COLUMN public.order_items.quantity IS NULL;
ALTER TABLE public.order_items ALTER COLUMN quantity TYPE integer USING quantity::integer;

COMMIT;
