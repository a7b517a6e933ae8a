// The tenant binding.
//
// woo.store_id is PGC_SUSET and the "woo" prefix is reserved, so only
// superusers and roles granted SET ON PARAMETER woo.store_id (woo_app) can
// bind a store; a role like woo_ai can neither SET, set_config() nor RESET it.
// The value is validated with PostgreSQL's uuid_in when it is set; the parsed
// bytes travel as the GUC's "extra", so woo.current_store() costs no parsing.
#include "pg/tenant.hpp"

#include "pg/boundary.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
}

#include <climits>
#include <cstdlib>
#include <cstring>

namespace {

char *store_id_setting = nullptr;          // GUC storage: canonical text or ""
const pg_uuid_t *bound_store = nullptr;    // parsed value (GUC extra), null when unbound
int ai_timeout_ms = 5000;
bool loaded_at_startup = false;

// Parses `text` with uuid_in; false (and no ERROR) when it is not a UUID.
bool parse_uuid(const char *text, pg_uuid_t *out) {
    MemoryContext cxt = CurrentMemoryContext;
    volatile bool ok = true;
    PG_TRY();
    {
        Datum d = DirectFunctionCall1(uuid_in, CStringGetDatum(text));
        std::memcpy(out, DatumGetUUIDP(d), sizeof *out);
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(cxt);
        FlushErrorState();
        ok = false;
    }
    PG_END_TRY();
    return ok;
}

bool check_store_id(char **newval, void **extra, GucSource source) {
    if (*newval == nullptr || (*newval)[0] == '\0') return true;  // unbound
    pg_uuid_t uuid;
    if (!parse_uuid(*newval, &uuid)) {
        GUC_check_errcode(ERRCODE_INVALID_TEXT_REPRESENTATION);
        GUC_check_errdetail("woo.store_id must be a store's UUID.");
        return false;
    }
    // PostgreSQL 15 releases GUC extras with free(): allocate with malloc.
    auto *parsed = static_cast<pg_uuid_t *>(malloc(sizeof(pg_uuid_t)));
    if (parsed == nullptr) return false;
    *parsed = uuid;
    *extra = parsed;
    return true;
}

void assign_store_id(const char *newval, void *extra) { bound_store = static_cast<const pg_uuid_t *>(extra); }

}  // namespace

namespace woo::pg {

void define_tenant_gucs() {
    loaded_at_startup = process_shared_preload_libraries_in_progress;
    DefineCustomStringVariable(
        "woo.store_id", "The store (tenant) this transaction or session works for.",
        "Row-level security shows and accepts only this store's rows. Superuser-only: "
        "grant SET ON PARAMETER woo.store_id to the roles that may bind a store.",
        &store_id_setting, "", PGC_SUSET, GUC_NOT_IN_SAMPLE | GUC_NO_RESET_ALL, check_store_id, assign_store_id,
        nullptr);
    DefineCustomIntVariable("woo.ai_statement_timeout", "Time limit of one woo.ai_query call.", nullptr,
                            &ai_timeout_ms, 5000, 1, INT_MAX, PGC_SUSET, GUC_UNIT_MS, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("woo");
}

int ai_statement_timeout_ms() { return ai_timeout_ms; }

pg_uuid_t bound_store_or_error() {
    if (!loaded_at_startup)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("pg_woocommerce must be loaded through shared_preload_libraries"),
                        errhint("Add pg_woocommerce to shared_preload_libraries and restart the server.")));
    if (bound_store == nullptr)
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), errmsg("no store is bound to this transaction"),
                        errhint("Bind one with SET LOCAL woo.store_id = '<store uuid>' or SELECT woo.set_store('<store uuid>').")));
    return *bound_store;
}

}  // namespace woo::pg

// woo.current_store() RETURNS uuid: the bound store, or ERROR 42501.
WOO_FUNCTION(woo_current_store) {
    auto *result = static_cast<pg_uuid_t *>(palloc(sizeof(pg_uuid_t)));
    *result = woo::pg::bound_store_or_error();
    PG_RETURN_UUID_P(result);
}

// woo._loaded_at_startup() RETURNS boolean: used by the install script to refuse
// CREATE EXTENSION when the library is not in shared_preload_libraries.
WOO_FUNCTION(woo_loaded_at_startup) { PG_RETURN_BOOL(loaded_at_startup); }
