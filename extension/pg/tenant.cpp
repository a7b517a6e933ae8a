// The tenant binding.
//
// woo.store_id is PGC_SUSET and the "woo" prefix is reserved, so only
// superusers and roles granted SET ON PARAMETER woo.store_id (woo_app) can
// bind a store; a role like woo_ai can neither SET, set_config() nor RESET it.
// The value is validated with PostgreSQL's uuid_in when it is set; the parsed
// bytes travel as the GUC's "extra", so woo.current_store() costs no parsing.
//
// A binding lives for one transaction, by construction (issue 9):
//  * a SET of woo.store_id in a session is accepted only if it cannot outlive
//    the transaction: SET LOCAL / set_config(..., true) / woo.set_store().
//    A session-level SET is refused at once (utility hook, hooks.cpp) and any
//    other session-level change (set_config(..., false)) makes the COMMIT
//    fail (pre-commit callback below), so nothing bound survives a commit;
//  * values from connection options (PGOPTIONS), role or database settings
//    and the configuration file are refused when they arrive, with a single
//    exception: a role setting of an AI login (a member of woo_ai, made by a
//    superuser through woo.create_ai_login), which pins that login's store;
//  * each binding is stamped with the local transaction id that made it, and
//    woo.current_store() refuses a binding stamped by another transaction
//    (defence in depth: no path above should leave one);
//  * woo.store_id is reset by RESET ALL / DISCARD ALL like any parameter.
#include "pg/tenant.hpp"

#include "pg/boundary.hpp"

extern "C" {
#include "access/parallel.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
}

#include <climits>
#include <cstdlib>
#include <cstring>

namespace {

// The parsed binding, carried as the GUC's extra: the value and where it came from.
struct Binding {
    pg_uuid_t uuid;
    GucSource source;
};

char *store_id_setting = nullptr;               // GUC storage: canonical text or ""
const Binding *bound = nullptr;                 // GUC extra, null when unbound
LocalTransactionId bound_lxid = InvalidLocalTransactionId;  // the transaction that bound it
config_generic *store_guc = nullptr;            // woo.store_id in guc.c's table
int ai_timeout_ms = 5000;
int ai_max_result_kb = 64 * 1024;
int ai_max_sql_bytes = 16 * 1024;
int ai_max_parse_nodes = 5000;
int ai_work_mem_kb = 16 * 1024;
int ai_temp_file_limit_kb = 64 * 1024;
int ai_max_cache_growth_kb = 8 * 1024;
bool loaded_at_startup = false;

// Parses `text` with uuid_in; false (and no ERROR) when it is not a UUID.
bool parse_uuid(const char *text, pg_uuid_t *out) {
    // uuid_in touches no shared state: its syntax ERROR can be dropped.
    ErrorData *edata = woo::pg::catch_pg_error([&] {
        Datum d = DirectFunctionCall1(uuid_in, CStringGetDatum(text));
        std::memcpy(out, DatumGetUUIDP(d), sizeof *out);
    });
    if (edata == nullptr) return true;
    FreeErrorData(edata);
    return false;
}

// True when the session's login is an AI login: a member of woo_ai, not of woo_app.
bool session_is_ai_login() {
    if (!IsTransactionState()) return false;
    const Oid ai = get_role_oid("woo_ai", true);
    const Oid app = get_role_oid("woo_app", true);
    const Oid login = GetSessionUserId();
    return OidIsValid(ai) && is_member_of_role_nosuper(login, ai) && !(OidIsValid(app) && is_member_of_role_nosuper(login, app));
}

// Which sources may carry a binding (a non-empty value).
bool source_may_bind(GucSource source) {
    // A parallel worker receives the leader's value, which passed these checks.
    if (InitializingParallelWorker || IsParallelWorker()) return true;
    switch (source) {
        case PGC_S_SESSION:  // SET [LOCAL], set_config, a function's SET clause
            return true;
        case PGC_S_TEST:  // validating ALTER ROLE/DATABASE ... SET, CREATE FUNCTION ... SET
            if (superuser()) return true;
            GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
            GUC_check_errdetail("woo.store_id binds one transaction: it cannot be stored as a role, database or function setting.");
            GUC_check_errhint("Bind a store inside each transaction with SET LOCAL woo.store_id or woo.set_store().");
            return false;
        case PGC_S_USER:
        case PGC_S_DATABASE_USER:  // the pin of an AI login, made by woo.create_ai_login
            if (session_is_ai_login()) return true;
            GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
            GUC_check_errdetail("A role setting of woo.store_id binds only an AI login (a member of woo_ai); it is ignored for this login.");
            GUC_check_errhint("Bind a store inside each transaction with SET LOCAL woo.store_id or woo.set_store().");
            return false;
        default:  // PGOPTIONS, database settings, postgresql.conf, command line, ...
            GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
            GUC_check_errdetail("woo.store_id binds one transaction: it cannot come from connection options, database settings or the configuration file.");
            GUC_check_errhint("Bind a store inside each transaction with SET LOCAL woo.store_id or woo.set_store().");
            return false;
    }
}

bool check_store_id(char **newval, void **extra, GucSource source) {
    if (*newval == nullptr || (*newval)[0] == '\0') return true;  // unbound
    pg_uuid_t uuid;
    if (!parse_uuid(*newval, &uuid)) {
        GUC_check_errcode(ERRCODE_INVALID_TEXT_REPRESENTATION);
        GUC_check_errdetail("woo.store_id must be a store's UUID.");
        return false;
    }
    if (!source_may_bind(source)) return false;
    // PostgreSQL 15 releases GUC extras with free(): allocate with malloc.
    auto *parsed = static_cast<Binding *>(malloc(sizeof(Binding)));
    if (parsed == nullptr) return false;
    parsed->uuid = uuid;
    parsed->source = source;
    *extra = parsed;
    return true;
}

void assign_store_id(const char *newval, void *extra) {
    bound = static_cast<const Binding *>(extra);
    // Values restored at transaction end get an invalid stamp (the local
    // transaction id is cleared before GUCs are rolled back).
    bound_lxid = MyProc != nullptr ? MyProc->lxid : InvalidLocalTransactionId;
}

// At commit: a session-level change of woo.store_id made in this transaction
// would survive it. Refuse the commit (the transaction rolls back instead).
void refuse_surviving_binding(XactEvent event, void *) {
    if (event != XACT_EVENT_PRE_COMMIT && event != XACT_EVENT_PRE_PREPARE) return;
    // A parallel worker restores the leader's settings at session level in a
    // transaction of its own; the leader's binding was checked where it was made.
    if (InitializingParallelWorker || IsParallelWorker()) return;
    if (store_guc == nullptr || store_guc->stack == nullptr) return;
    const GucStack *top = store_guc->stack;
    const char *survivor = nullptr;
    if (top->state == GUC_SET)
        survivor = store_id_setting;
    else if (top->state == GUC_SET_LOCAL)
        survivor = top->masked.val.stringval;
    if (survivor == nullptr || survivor[0] == '\0') return;
    const char *reset_val = reinterpret_cast<config_string *>(store_guc)->reset_val;
    if (reset_val != nullptr && std::strcmp(survivor, reset_val) == 0) return;  // RESET / an AI login's pin
    ereport(ERROR, (errcode(ERRCODE_INVALID_TRANSACTION_STATE),
                    errmsg("woo.store_id was set for the session; a store may be bound for one transaction only"),
                    errdetail("set_config('woo.store_id', ..., false) would keep the store bound in later transactions, "
                              "and behind a pooler for other clients; this transaction is rolled back."),
                    errhint("Use SET LOCAL woo.store_id = '<store uuid>', set_config('woo.store_id', ..., true) or woo.set_store().")));
}

config_generic *find_guc(const char *name) {
    config_generic **vars = get_guc_variables();
    const int n = GetNumConfigOptions();
    for (int i = 0; i < n; ++i)
        if (std::strcmp(vars[i]->name, name) == 0) return vars[i];
    return nullptr;
}

void define_int(const char *name, const char *desc, const char *long_desc, int *var, int def, int min, int max, int flags) {
    DefineCustomIntVariable(name, desc, long_desc, var, def, min, max, PGC_SUSET, flags, nullptr, nullptr, nullptr);
}

}  // namespace

namespace woo::pg {

void define_tenant_gucs() {
    loaded_at_startup = process_shared_preload_libraries_in_progress;
    DefineCustomStringVariable(
        "woo.store_id", "The store (tenant) this transaction works for.",
        "Row-level security shows and accepts only this store's rows. Superuser-only: "
        "grant SET ON PARAMETER woo.store_id to the roles that may bind a store. Binds one "
        "transaction only (SET LOCAL, woo.set_store); AI logins are pinned by woo.create_ai_login.",
        &store_id_setting, "", PGC_SUSET, GUC_NOT_IN_SAMPLE, check_store_id, assign_store_id, nullptr);
    define_int("woo.ai_statement_timeout", "Time limit of one woo.ai_query call.", nullptr, &ai_timeout_ms, 5000, 1,
               INT_MAX, GUC_UNIT_MS);
    define_int("woo.ai_max_result_bytes", "Largest result one woo.ai_query call may return (SQLSTATE 54000 beyond).",
               nullptr, &ai_max_result_kb, 64 * 1024, 1, INT_MAX, GUC_UNIT_KB);
    define_int("woo.ai_max_sql_bytes", "Longest SQL text woo.ai_query accepts (SQLSTATE 54000 beyond).", nullptr,
               &ai_max_sql_bytes, 16 * 1024, 1, 1024 * 1024, 0);
    define_int("woo.ai_max_parse_nodes", "Largest parse tree (in nodes) woo.ai_query accepts (SQLSTATE 54000 beyond).",
               nullptr, &ai_max_parse_nodes, 5000, 10, 1000000, 0);
    define_int("woo.ai_work_mem", "work_mem of the SQL woo.ai_query runs.", nullptr, &ai_work_mem_kb, 16 * 1024, 64,
               MAX_KILOBYTES, GUC_UNIT_KB);
    define_int("woo.ai_temp_file_limit", "temp_file_limit of the SQL woo.ai_query runs.", nullptr,
               &ai_temp_file_limit_kb, 64 * 1024, 0, INT_MAX, GUC_UNIT_KB);
    define_int("woo.ai_max_cache_growth", "Catalog-cache growth one woo.ai_query call may leave; beyond it the caches are reset.",
               nullptr, &ai_max_cache_growth_kb, 8 * 1024, 0, INT_MAX, GUC_UNIT_KB);
    MarkGUCPrefixReserved("woo");
    store_guc = find_guc("woo.store_id");
    RegisterXactCallback(refuse_surviving_binding, nullptr);
}

int ai_statement_timeout_ms() { return ai_timeout_ms; }
int64 ai_max_result_bytes() { return static_cast<int64>(ai_max_result_kb) * 1024; }
int ai_max_sql_bytes_setting() { return ai_max_sql_bytes; }
int ai_max_parse_nodes_setting() { return ai_max_parse_nodes; }
int ai_work_mem_kb_setting() { return ai_work_mem_kb; }
int ai_temp_file_limit_kb_setting() { return ai_temp_file_limit_kb; }
int64 ai_max_cache_growth_bytes() { return static_cast<int64>(ai_max_cache_growth_kb) * 1024; }

pg_uuid_t bound_store_or_error() {
    if (!loaded_at_startup)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("pg_woocommerce must be loaded through shared_preload_libraries"),
                        errhint("Add pg_woocommerce to shared_preload_libraries and restart the server.")));
    if (bound == nullptr)
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), errmsg("no store is bound to this transaction"),
                        errhint("Bind one with SET LOCAL woo.store_id = '<store uuid>' or SELECT woo.set_store('<store uuid>').")));
    // A session binding counts only in the transaction that made it; an AI
    // login's pin (a role setting) always.
    if (bound->source == PGC_S_SESSION && !IsParallelWorker() && (bound_lxid == InvalidLocalTransactionId || bound_lxid != MyProc->lxid))
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), errmsg("no store is bound to this transaction"),
                        errdetail("woo.store_id was bound by an earlier transaction; a binding ends with its transaction."),
                        errhint("Bind one with SET LOCAL woo.store_id = '<store uuid>' or SELECT woo.set_store('<store uuid>').")));
    return bound->uuid;
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
