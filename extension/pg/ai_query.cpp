// woo.ai_query(sql text, max_rows int) RETURNS SETOF jsonb
//
// Runs one model-written SELECT for the application, as role woo_ai, under the
// caller's bound store. Layers, each enough on its own for writes:
//  1. PostgreSQL's parser must see exactly one SelectStmt, and no INSERT,
//     UPDATE, DELETE or MERGE, SELECT INTO or FOR UPDATE/SHARE anywhere in it;
//  2. it runs as woo_ai (SELECT-only grants, RLS) in a security-restricted
//     operation (no SET ROLE, no temporary objects), with
//     transaction_read_only = on, search_path = pg_catalog, public, pg_temp,
//     row_security = on, and through SPI in read-only mode;
//  3. woo.store_id stays what the caller bound: woo_ai cannot change it;
//  4. a timer (woo.ai_statement_timeout) and LIMIT max_rows bound its cost.
#include "pg/ai_gate.hpp"
#include "pg/boundary.hpp"
#include "pg/tenant.hpp"

extern "C" {
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/parser.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
}

namespace {

constexpr int kMaxRowsLimit = 1000000;
constexpr const char *kAiRole = "woo_ai";

[[noreturn]] void refuse(const char *what) {
    ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), errmsg("woo.ai_query refused the statement: %s", what),
                    errhint("woo.ai_query runs exactly one read-only SELECT.")));
    pg_unreachable();
}

// Walks the raw parse tree; refuses anything that could write or lock.
bool refuse_writes(Node *node, void *context) {
    if (node == nullptr) return false;
    switch (nodeTag(node)) {
        case T_InsertStmt:
        case T_UpdateStmt:
        case T_DeleteStmt:
        case T_MergeStmt:
            refuse("data-modifying statements (INSERT, UPDATE, DELETE, MERGE, also inside WITH) are not allowed");
        case T_SelectStmt: {
            auto *select = reinterpret_cast<SelectStmt *>(node);
            if (select->intoClause != nullptr) refuse("SELECT INTO is not allowed");
            if (select->lockingClause != NIL) refuse("FOR UPDATE/SHARE locking clauses are not allowed");
            break;
        }
        default:
            break;
    }
    return raw_expression_tree_walker(node, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(refuse_writes)), context);
}

// Returns the text of the single SELECT in `sql`, or raises.
char *checked_select_text(const char *sql) {
    List *stmts = raw_parser(sql, RAW_PARSE_DEFAULT);
    if (list_length(stmts) != 1)
        refuse(list_length(stmts) == 0 ? "the statement is empty" : "only one statement is allowed");
    RawStmt *raw = linitial_node(RawStmt, stmts);
    if (!IsA(raw->stmt, SelectStmt)) refuse("only SELECT is allowed");
    refuse_writes(raw->stmt, nullptr);
    const int len = raw->stmt_len > 0 ? raw->stmt_len : static_cast<int>(strlen(sql + raw->stmt_location));
    return pnstrdup(sql + raw->stmt_location, len);
}

void set_for_call(const char *name, const char *value) {
    (void)set_config_option(name, value, PGC_SUSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
}

}  // namespace

// Everything woo.ai_query checks in the statement before it runs it; shared
// with woo.check_ai_query (woo.save_chart) so that both refuse alike.
char *woo::pg::ai_query_gate(const char *sql, int max_rows) {
    char *select_text = checked_select_text(sql);
    // The wrapped statement must itself be one plain SELECT: a second check
    // that the text cut from the original is a complete unit.
    char *wrapped = psprintf("SELECT pg_catalog.to_jsonb(q) FROM (\n%s\n) AS q LIMIT %d", select_text, max_rows);
    (void)checked_select_text(wrapped);
    return wrapped;
}

WOO_FUNCTION(woo_ai_query) {
    char *sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
    const int max_rows = PG_GETARG_INT32(1);
    if (max_rows < 1 || max_rows > kMaxRowsLimit)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("max_rows must be between 1 and %d, not %d", kMaxRowsLimit, max_rows)));

    // Fails with 42501 when the caller has no bound store.
    (void)woo::pg::bound_store_or_error();

    char *wrapped = woo::pg::ai_query_gate(sql, max_rows);

    const Oid ai_role = get_role_oid(kAiRole, false);
    InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
    ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);

    Oid saved_user;
    int saved_sec_context;
    GetUserIdAndSecContext(&saved_user, &saved_sec_context);
    const bool outer_timeout_active = get_timeout_active(STATEMENT_TIMEOUT);
    const TimestampTz outer_timeout_at = outer_timeout_active ? get_timeout_finish_time(STATEMENT_TIMEOUT) : 0;
    const TimestampTz ai_timeout_at =
        TimestampTzPlusMilliseconds(GetCurrentTimestamp(), woo::pg::ai_statement_timeout_ms());

    // Errors inside unwind through transaction abort, which restores the user,
    // the GUC nest level and SPI; the timer is put back explicitly.
    PG_TRY();
    {
        const int guc_level = NewGUCNestLevel();
        set_for_call("transaction_read_only", "on");
        set_for_call("search_path", "pg_catalog, public, pg_temp");
        set_for_call("row_security", "on");
        if (!outer_timeout_active || ai_timeout_at < outer_timeout_at) enable_timeout_at(STATEMENT_TIMEOUT, ai_timeout_at);

        SetUserIdAndSecContext(ai_role, saved_sec_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
        const int rc = SPI_execute(wrapped, /*read_only=*/true, 0);
        if (rc != SPI_OK_SELECT) elog(ERROR, "woo.ai_query: unexpected SPI result %d", rc);
        for (uint64 i = 0; i < SPI_processed; ++i) {
            bool isnull;
            Datum value = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
        }
        SPI_finish();
        SetUserIdAndSecContext(saved_user, saved_sec_context);
        // As if aborted: every setting made at this level is undone, including a
        // plain SET / set_config(..., false) in the model's SQL, which would
        // otherwise outlive the call and reach the next tenant on a pooled connection.
        AtEOXact_GUC(false, guc_level);
    }
    PG_FINALLY();
    {
        if (outer_timeout_active)
            enable_timeout_at(STATEMENT_TIMEOUT, outer_timeout_at);
        else
            disable_timeout(STATEMENT_TIMEOUT, false);
    }
    PG_END_TRY();
    return (Datum)0;
}
