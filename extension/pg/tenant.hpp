// The bound tenant: GUC woo.store_id and friends (defined in _PG_init).
#pragma once

extern "C" {
#include "postgres.h"

#include "utils/uuid.h"
}

namespace woo::pg {

// Defines woo.store_id (PGC_SUSET) and woo.ai_statement_timeout, and reserves
// the "woo" prefix. Called from _PG_init.
void define_tenant_gucs();

// The bound store; raises 55000 when the library was not preloaded and 42501
// when no store is bound. Never returns NULL or "all stores".
pg_uuid_t bound_store_or_error();

// Milliseconds woo.ai_query may run (woo.ai_statement_timeout).
int ai_statement_timeout_ms();

}  // namespace woo::pg
