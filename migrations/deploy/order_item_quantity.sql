-- Deploy pg_woocommerce:order_item_quantity to pg
-- WooCommerce stores item quantities as numbers, and stores with decimal
-- quantity plugins send fractions (a captured order has "quantity": 1.5).
-- The seed's INTEGER would round them: widen it to numeric, losslessly.
BEGIN;

ALTER TABLE public.order_items ALTER COLUMN quantity TYPE numeric USING quantity::numeric;
COMMENT ON COLUMN public.order_items.quantity IS
    'Quantity ordered; numeric because WooCommerce allows fractional quantities (seed: integer)';

COMMIT;
