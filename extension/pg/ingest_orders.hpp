// The orders upsert behind woo.upsert_orders and woo.apply_webhook.
#pragma once

#include "pg/ingest_common.hpp"

namespace woo::pg::ingest {

Counts upsert_orders_payload(const Call *call, Jsonb *payload);

}  // namespace woo::pg::ingest
