// Utility and executor hooks of the preloaded library.
//
//  * SET woo.store_id at session level is refused for everyone: a store is
//    bound for one transaction (SET LOCAL, woo.set_store; see tenant.cpp).
//  * Members of woo_ai (direct AI logins, or woo_ai itself) run only the
//    utility statements a read-only assistant needs; ALTER ROLE (SET, RESET,
//    PASSWORD), LISTEN/NOTIFY, a read-write transaction and SET of the
//    timeout, read-only, memory and search_path settings are refused, so a
//    login cannot loosen what woo.create_ai_login pinned, for this connection
//    or (through the catalog) for later ones. Connection options (PGOPTIONS)
//    that change those settings end the session at its first statement.
//
// No C++ object is alive in these functions: they may raise ERROR directly.
#include "pg/tenant.hpp"

extern "C" {
#include "access/parallel.h"
#include "access/xact.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
}

#include <cstring>

namespace {

ProcessUtility_hook_type prev_utility = nullptr;
ExecutorStart_hook_type prev_executor_start = nullptr;
bool startup_options_checked = false;

// Settings an AI login may not change (its limits and its name resolution).
constexpr const char *kPinnedSettings[] = {
    "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "idle_session_timeout",
    "default_transaction_read_only", "transaction_read_only", "work_mem", "maintenance_work_mem",
    "hash_mem_multiplier", "temp_buffers", "logical_decoding_work_mem", "max_parallel_workers_per_gather",
    "search_path"};

const char *pinned_setting(const char *name) {
    if (name == nullptr) return nullptr;
    for (const char *s : kPinnedSettings)
        if (pg_strcasecmp(s, name) == 0) return s;
    return nullptr;
}

constexpr const char *kAllowedHint =
    "An AI login may run SELECT, EXPLAIN, SHOW, BEGIN/COMMIT/ROLLBACK (read-only), SAVEPOINT, PREPARE/EXECUTE, "
    "DECLARE/FETCH/CLOSE, DISCARD, COPY (SELECT ...) TO STDOUT, DO, and SET of settings other than its limits.";

[[noreturn]] void refuse_ai(const char *what) {
    ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), errmsg("AI logins may not %s", what),
                    errhint("%s", kAllowedHint)));
    pg_unreachable();
}

// True when a transaction option list asks for READ WRITE.
bool asks_read_write(List *options) {
    ListCell *lc;
    foreach (lc, options) {
        auto *def = static_cast<DefElem *>(lfirst(lc));
        if (std::strcmp(def->defname, "transaction_read_only") != 0 || def->arg == nullptr || !IsA(def->arg, A_Const))
            continue;
        auto *c = reinterpret_cast<A_Const *>(def->arg);
        if (c->isnull) continue;
        if (IsA(&c->val, Boolean) && !boolVal(&c->val)) return true;
        if (IsA(&c->val, Integer) && intVal(&c->val) == 0) return true;
    }
    return false;
}

void check_ai_utility(Node *stmt) {
    switch (nodeTag(stmt)) {
        case T_SelectStmt:  // not a utility, but harmless
        case T_VariableShowStmt:
        case T_ExplainStmt:
        case T_PrepareStmt:
        case T_ExecuteStmt:
        case T_DeallocateStmt:
        case T_DeclareCursorStmt:
        case T_FetchStmt:
        case T_ClosePortalStmt:
        case T_DiscardStmt:
        case T_DoStmt:  // its statements come back through this hook
        case T_UnlistenStmt:
            return;
        case T_CopyStmt: {
            auto *copy = reinterpret_cast<CopyStmt *>(stmt);
            if (copy->is_from) refuse_ai("run COPY ... FROM (an AI login writes nothing)");
            if (copy->filename != nullptr || copy->is_program) refuse_ai("run COPY to a file or program");
            return;
        }
        case T_TransactionStmt: {
            auto *tx = reinterpret_cast<TransactionStmt *>(stmt);
            if ((tx->kind == TRANS_STMT_BEGIN || tx->kind == TRANS_STMT_START) && asks_read_write(tx->options))
                refuse_ai("start a READ WRITE transaction");
            return;
        }
        case T_VariableSetStmt: {
            auto *set = reinterpret_cast<VariableSetStmt *>(stmt);
            if (set->kind == VAR_SET_MULTI) {
                if (asks_read_write(set->args)) refuse_ai("make a transaction or the session READ WRITE");
                return;
            }
            if (set->kind == VAR_RESET_ALL) return;  // back to the values the login was pinned with
            if (const char *name = pinned_setting(set->name)) {
                ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), errmsg("AI logins may not change %s", name),
                                errdetail("The limits, read-only mode and search_path of an AI login are fixed by woo.create_ai_login."),
                                errhint("%s", kAllowedHint)));
            }
            return;
        }
        case T_AlterRoleStmt:
        case T_AlterRoleSetStmt:
            refuse_ai("run ALTER ROLE (role settings and passwords of AI logins are fixed by the administrator)");
        case T_ListenStmt:
            refuse_ai("run LISTEN");
        case T_NotifyStmt:
            refuse_ai("run NOTIFY");
        default:
            ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), errmsg("AI logins may not run %s", CreateCommandName(stmt)),
                            errhint("%s", kAllowedHint)));
    }
}

// Once per backend: an AI login whose connection options (PGOPTIONS) changed
// one of its pinned settings is disconnected.
void check_ai_startup_options() {
    if (startup_options_checked || IsParallelWorker() || !IsTransactionState()) return;
    startup_options_checked = true;
    const Oid ai = get_role_oid("woo_ai", true);
    if (!OidIsValid(ai) || !is_member_of_role_nosuper(GetSessionUserId(), ai)) return;
    config_generic **vars = get_guc_variables();
    const int n = GetNumConfigOptions();
    for (int i = 0; i < n; ++i) {
        const char *name = pinned_setting(vars[i]->name);
        if (name != nullptr && (vars[i]->reset_source == PGC_S_CLIENT || vars[i]->source == PGC_S_CLIENT))
            ereport(FATAL, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                            errmsg("AI logins may not set %s in their connection options", name),
                            errhint("Connect without -c %s (PGOPTIONS); the login's settings are fixed by woo.create_ai_login.", name)));
    }
}

void woo_process_utility(PlannedStmt *pstmt, const char *query_string, bool read_only_tree, ProcessUtilityContext context,
                         ParamListInfo params, QueryEnvironment *query_env, DestReceiver *dest, QueryCompletion *qc) {
    Node *stmt = pstmt->utilityStmt;
    // (Roles that may not set it at all get PostgreSQL's own 42501.)
    if (IsA(stmt, VariableSetStmt)) {
        auto *set = reinterpret_cast<VariableSetStmt *>(stmt);
        if (!set->is_local && (set->kind == VAR_SET_VALUE || set->kind == VAR_SET_CURRENT) && set->name != nullptr &&
            pg_strcasecmp(set->name, "woo.store_id") == 0 &&
            (superuser() || pg_parameter_aclcheck("woo.store_id", GetUserId(), ACL_SET) == ACLCHECK_OK))
            ereport(ERROR, (errcode(ERRCODE_INVALID_TRANSACTION_STATE),
                            errmsg("SET woo.store_id binds a store for the session; a store may be bound for one transaction only"),
                            errdetail("A session-level binding would stay in later transactions, and behind a pooler reach other clients."),
                            errhint("Use SET LOCAL woo.store_id = '<store uuid>' or SELECT woo.set_store('<store uuid>') inside the transaction.")));
    }
    if (IsTransactionState()) {
        check_ai_startup_options();
        if (woo::pg::ai_member()) check_ai_utility(stmt);
    }
    if (prev_utility != nullptr)
        prev_utility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
    else
        standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
}

void woo_executor_start(QueryDesc *query_desc, int eflags) {
    if (!startup_options_checked) check_ai_startup_options();
    if (prev_executor_start != nullptr)
        prev_executor_start(query_desc, eflags);
    else
        standard_ExecutorStart(query_desc, eflags);
}

}  // namespace

namespace woo::pg {

bool ai_member() {
    const Oid ai = get_role_oid("woo_ai", true);
    if (!OidIsValid(ai)) return false;
    return is_member_of_role_nosuper(GetUserId(), ai) || is_member_of_role_nosuper(GetSessionUserId(), ai);
}

void install_hooks() {
    prev_utility = ProcessUtility_hook;
    ProcessUtility_hook = woo_process_utility;
    prev_executor_start = ExecutorStart_hook;
    ExecutorStart_hook = woo_executor_start;
    install_ai_query_hook();
}

}  // namespace woo::pg
