// The bound tenant: GUC woo.store_id and friends (defined in _PG_init).
#pragma once

extern "C" {
#include "postgres.h"

#include "utils/uuid.h"
}

namespace woo::pg {

// Defines woo.store_id (PGC_SUSET, one transaction), the woo.ai_* budgets
// (all PGC_SUSET), reserves the "woo" prefix and registers the commit check
// that keeps a binding from outliving its transaction. Called from _PG_init.
void define_tenant_gucs();

// Installs the utility and executor hooks (hooks.cpp). Called from _PG_init.
void install_hooks();
// Installs woo.ai_query's post-parse-analysis hook (ai_query.cpp); called by install_hooks.
void install_ai_query_hook();
// True when the current or the session user is a (non-superuser) member of woo_ai (hooks.cpp).
bool ai_member();

// The bound store; raises 55000 when the library was not preloaded and 42501
// when no store is bound. Never returns NULL or "all stores".
pg_uuid_t bound_store_or_error();

// Budgets of one woo.ai_query call (woo.ai_* settings).
int ai_statement_timeout_ms();
int64 ai_max_result_bytes();
int ai_max_sql_bytes_setting();
int ai_max_parse_nodes_setting();
int ai_work_mem_kb_setting();
int ai_temp_file_limit_kb_setting();
int64 ai_max_cache_growth_bytes();

}  // namespace woo::pg
