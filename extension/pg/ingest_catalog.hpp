// The catalogue upserts (products, customers, categories, coupons) behind
// woo.upsert_* and woo.apply_webhook: each one Spec run by the shared driver.
#pragma once

#include "pg/ingest_common.hpp"

namespace woo::pg::ingest {

Counts upsert_products_payload(const Call *call, Jsonb *payload);
Counts upsert_customers_payload(const Call *call, Jsonb *payload);
Counts upsert_categories_payload(const Call *call, Jsonb *payload);
Counts upsert_coupons_payload(const Call *call, Jsonb *payload);

// A guest (no WooCommerce id) whose e-mail hash matches a registered id that
// has no row yet becomes that customer: wc ids (int4) and hashes (text).
void adopt_guest_customers(const Call *call, const Column *wc_ids, const Column *hashes);

}  // namespace woo::pg::ingest
