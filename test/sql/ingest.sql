-- woo.upsert_orders: one order written, the same payload again unchanged, a
-- stale one skipped; lenient mode turns a bad record into a reject.
SET timezone = 'UTC';
INSERT INTO public.stores (id, store_url, api_key_hash)
VALUES ('d0000000-0000-4000-8000-00000000000d', 'https://regress.example', 'x');
BEGIN;
SET LOCAL ROLE woo_app;
SELECT woo.set_store('d0000000-0000-4000-8000-00000000000d');
SELECT * FROM woo.upsert_orders('d0000000-0000-4000-8000-00000000000d', '[{"id": 1, "status": "completed", "total": "19.90",
  "customer_id": 0, "date_created_gmt": "2024-01-01T10:00:00", "date_modified_gmt": "2024-01-01T10:00:00",
  "billing": {"email": "Guest@Example.com"},
  "line_items": [{"product_id": 7, "name": "Mug", "quantity": 2, "subtotal": "19.90", "total": "19.90"}]}]');
SELECT * FROM woo.upsert_orders('d0000000-0000-4000-8000-00000000000d', '[{"id": 1, "status": "completed", "total": "19.90",
  "customer_id": 0, "date_created_gmt": "2024-01-01T10:00:00", "date_modified_gmt": "2024-01-01T10:00:00",
  "billing": {"email": "Guest@Example.com"},
  "line_items": [{"product_id": 7, "name": "Mug", "quantity": 2, "subtotal": "19.90", "total": "19.90"}]}]');
SELECT * FROM woo.upsert_orders('d0000000-0000-4000-8000-00000000000d', '[{"id": 1, "status": "pending", "total": "1.00",
  "date_created_gmt": "2024-01-01T10:00:00", "date_modified_gmt": "2023-12-31T10:00:00"}]');
SELECT wc_order_id, status, total, date_created FROM public.orders ORDER BY wc_order_id;
-- strict (the default): a bad record fails the call, naming record and field
SELECT * FROM woo.upsert_orders('d0000000-0000-4000-8000-00000000000d', '[{"id": 2, "status": "x", "total": "12345678901.00",
  "date_created_gmt": "2024-01-01T00:00:00"}]');
ROLLBACK;
BEGIN;
SET LOCAL ROLE woo_app;
SELECT woo.set_store('d0000000-0000-4000-8000-00000000000d');
-- lenient: the bad record is stored in woo.ingest_rejects, the good one written
SELECT * FROM woo.upsert_orders('d0000000-0000-4000-8000-00000000000d', '[{"id": 2, "status": "x", "total": "12345678901.00",
  "date_created_gmt": "2024-01-01T00:00:00"}, {"id": 3, "status": "x", "total": "3.00", "date_created_gmt": "2024-01-01T00:00:00"}]', false);
SELECT resource, wc_id, sqlstate FROM woo.ingest_rejects ORDER BY wc_id;
ROLLBACK;
