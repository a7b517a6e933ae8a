#!/usr/bin/env bash
# scripts/gen-orders.sh N SEED: prints N WooCommerce REST v3-shaped orders as NDJSON
# (one compact JSON object per line) on stdout, for woo-load tests and benchmarks.
#
# Deterministic for a seed: every value is derived from hashint8extended(order, SEED),
# so the same N and SEED always print the same bytes. Order ids are 1..N; each order
# has 1-3 line items (products 1..400, a few variations), ~15 % are guests (customer_id 0,
# identified by their billing e-mail), ~10 % carry a coupon and ~5 % a refund.
# Registered customers are 1..max(10, N/4), their e-mail is cust<id>@example.com.
#
# One query through psql against the current cluster: PGHOST/PGPORT/PGUSER come from the
# environment (e.g. eval "$(scripts/cluster.sh env test)"); PGDATABASE defaults to postgres.
# 100,000 orders take a few seconds.
set -euo pipefail
export PSQLRC=/dev/null

n=${1:-}
seed=${2:-}
if ! [[ "$n" =~ ^[0-9]+$ && "$seed" =~ ^-?[0-9]+$ ]]; then
  echo "usage: gen-orders.sh N SEED   (N orders as NDJSON on stdout, deterministic for SEED)" >&2
  exit 2
fi

# jsonb prints '": ' after each key and ', ' between members and between array elements (always
# objects here); no generated string contains '": ', ', "' or ', {', so sed drops those spaces
# and the lines are compact JSON (sed costs far less than replace() in the query).
compact() { LC_ALL=C sed 's/": /":/g; s/, "/,"/g; s/, {/,{/g'; }
psql -X -A -t -q -v ON_ERROR_STOP=1 -d "${PGDATABASE:-postgres}" -v n="$n" -v seed="$seed" <<'SQL' | compact
SET jit = off;
SELECT jsonb_build_object(
         'id', o.n, 'parent_id', 0, 'number', o.n::text,
         'order_key', 'wc_order_' || substr(md5(:seed || ':' || o.n), 1, 13),
         'created_via', 'checkout', 'version', '8.9.1',
         'status', (ARRAY['completed', 'completed', 'completed', 'completed', 'completed', 'processing', 'processing',
                          'on-hold', 'refunded', 'cancelled', 'pending', 'failed'])[1 + h.status % 12],
         'currency', (ARRAY['USD', 'USD', 'USD', 'EUR', 'GBP'])[1 + h.currency % 5],
         'date_created', to_char(d.created, 'YYYY-MM-DD"T"HH24:MI:SS'),
         'date_created_gmt', to_char(d.created, 'YYYY-MM-DD"T"HH24:MI:SS'),
         'date_modified', to_char(d.modified, 'YYYY-MM-DD"T"HH24:MI:SS'),
         'date_modified_gmt', to_char(d.modified, 'YYYY-MM-DD"T"HH24:MI:SS'),
         'discount_total', to_char(m.discount, 'FM9999990.00'), 'discount_tax', '0.00',
         'shipping_total', to_char(m.shipping, 'FM9999990.00'), 'shipping_tax', '0.00',
         'cart_tax', '0.00', 'total', to_char(m.total, 'FM9999990.00'), 'total_tax', '0.00',
         'prices_include_tax', false,
         'customer_id', c.customer_id, 'customer_note', '',
         'billing', jsonb_build_object('first_name', c.first_name, 'last_name', c.last_name, 'company', '',
                                       'address_1', (h.customer % 900 + 1) || ' Market St', 'address_2', '',
                                       'city', 'Springfield', 'state', 'CA', 'postcode', '94103', 'country', 'US',
                                       'email', c.email, 'phone', ''),
         'shipping', jsonb_build_object('first_name', c.first_name, 'last_name', c.last_name, 'company', '',
                                        'address_1', (h.customer % 900 + 1) || ' Market St', 'address_2', '',
                                        'city', 'Springfield', 'state', 'CA', 'postcode', '94103', 'country', 'US'),
         'payment_method', (ARRAY['stripe', 'paypal', 'bacs', 'cod'])[1 + h.payment % 4],
         'payment_method_title', (ARRAY['Credit card', 'PayPal', 'Direct bank transfer', 'Cash on delivery'])[1 + h.payment % 4],
         'transaction_id', '', 'cart_hash', '', 'meta_data', '[]'::jsonb,
         'line_items', li.items,
         'shipping_lines', CASE WHEN m.shipping > 0 THEN jsonb_build_array(jsonb_build_object(
                               'id', o.n * 10 + 9, 'method_title', 'Flat rate', 'method_id', 'flat_rate',
                               'total', to_char(m.shipping, 'FM9999990.00'), 'total_tax', '0.00')) ELSE '[]'::jsonb END,
         'fee_lines', '[]'::jsonb, 'tax_lines', '[]'::jsonb,
         'coupon_lines', CASE WHEN m.discount > 0 THEN jsonb_build_array(jsonb_build_object(
                             'id', o.n * 10 + 8, 'code', 'save10', 'discount', to_char(m.discount, 'FM9999990.00'),
                             'discount_tax', '0.00')) ELSE '[]'::jsonb END,
         'refunds', CASE WHEN h.refund % 20 = 0 THEN jsonb_build_array(jsonb_build_object(
                        'id', 5000000 + o.n, 'reason', '', 'total', to_char(-round(m.total / 2, 2), 'FM9999990.00')))
                        ELSE '[]'::jsonb END
       )::text
  FROM generate_series(1, :n) AS o(n)
 CROSS JOIN LATERAL (SELECT abs(hashint8extended(o.n * 8 + 0, :seed)) AS status,
                            abs(hashint8extended(o.n * 8 + 1, :seed)) AS currency,
                            abs(hashint8extended(o.n * 8 + 2, :seed)) AS created,
                            abs(hashint8extended(o.n * 8 + 3, :seed)) AS customer,
                            abs(hashint8extended(o.n * 8 + 4, :seed)) AS payment,
                            abs(hashint8extended(o.n * 8 + 5, :seed)) AS refund,
                            abs(hashint8extended(o.n * 8 + 6, :seed)) AS items,
                            abs(hashint8extended(o.n * 8 + 7, :seed)) AS coupon) AS h
 CROSS JOIN LATERAL (SELECT timestamp '2023-01-01' + (h.created % (730 * 86400)) * interval '1 second' AS created) AS d0
 CROSS JOIN LATERAL (SELECT d0.created, d0.created + (h.created % (3 * 86400)) * interval '1 second' AS modified) AS d
 CROSS JOIN LATERAL (
        SELECT CASE WHEN h.customer % 100 < 15 THEN 0 ELSE 1 + h.customer / 100 % greatest(10, :n / 4) END AS customer_id,
               (ARRAY['Ana', 'Ben', 'Chloe', 'Dev', 'Eli', 'Fay', 'Gus', 'Hana'])[1 + h.customer % 8] AS first_name,
               (ARRAY['Smith', 'Garcia', 'Tanaka', 'Okafor', 'Novak', 'Silva'])[1 + h.customer / 8 % 6] AS last_name,
               CASE WHEN h.customer % 100 < 15 THEN 'guest' || (h.customer / 100 % greatest(5, :n / 10)) || '@example.org'
                    ELSE 'cust' || (1 + h.customer / 100 % greatest(10, :n / 4)) || '@example.com' END AS email) AS c
 CROSS JOIN LATERAL (
        SELECT jsonb_agg(jsonb_build_object(
                   'id', o.n * 10 + i.i, 'name', (ARRAY['Hoodie', 'Mug', 'Coffee beans', 'Poster', 'Cap', 'Tee', 'Grinder', 'Filter'])[1 + p.product % 8] || ' #' || p.product,
                   'product_id', p.product, 'variation_id', CASE WHEN p.product % 10 = 0 THEN 1000 + p.product ELSE 0 END,
                   'quantity', p.qty, 'tax_class', '',
                   'subtotal', to_char(p.price * p.qty, 'FM9999990.00'), 'subtotal_tax', '0.00',
                   'total', to_char(p.price * p.qty, 'FM9999990.00'), 'total_tax', '0.00',
                   'taxes', '[]'::jsonb, 'meta_data', '[]'::jsonb,
                   'sku', 'SKU-' || p.product, 'price', p.price) ORDER BY i.i) AS items,
               sum(p.price * p.qty) AS subtotal
          FROM generate_series(1, 1 + (h.items % 3)::int) AS i(i)
         CROSS JOIN LATERAL (SELECT x.product, 1 + (x.product + o.n) % 3 AS qty, (4 + x.product % 60) + 0.99 AS price
                               FROM (SELECT 1 + abs(hashint8extended(o.n * 4 + i.i, :seed + 1)) % 400 AS product) x) AS p) AS li
 CROSS JOIN LATERAL (
        SELECT s.shipping, s.discount, li.subtotal + s.shipping - s.discount AS total
          FROM (SELECT CASE WHEN li.subtotal >= 50 THEN 0.00 ELSE 4.90 END AS shipping,
                       CASE WHEN h.coupon % 10 = 0 THEN round(li.subtotal / 10, 2) ELSE 0.00 END AS discount) s) AS m;
SQL
