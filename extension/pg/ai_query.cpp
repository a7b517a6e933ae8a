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
//  4. budgets, all superuser-only settings, bound its cost before and while it
//     runs (issue 9):
//     - text (woo.ai_max_sql_bytes) and parse-tree size (woo.ai_max_parse_nodes)
//       are checked before anything is planned (54000);
//     - wall time: a timer (woo.ai_statement_timeout) cancels it at the next
//       interrupt check, and every operator or function call of the model's
//       SQL that returns a variable-length value (numeric, text, bytea, arrays,
//       jsonb, ...) is wrapped in woo._checkpoint(), an interrupt check: a
//       chain of expensive operations inside one expression (numeric
//       arithmetic on huge values, repeat() of huge strings), which PostgreSQL
//       would evaluate without ever checking for interrupts, stops after the
//       operation running when the timer fires (57014);
//     - result bytes: rows are fetched from a cursor in batches and the call
//       stops at woo.ai_max_result_bytes (54000); only one batch is held twice;
//     - memory and temporary files: work_mem = woo.ai_work_mem and
//       temp_file_limit = woo.ai_temp_file_limit for the call;
//     - catalog caches: when a call grew CacheMemoryContext by more than
//       woo.ai_max_cache_growth, the caches are reset after it, so a pooled
//       backend does not keep what model SQL made it look up;
//  5. LIMIT max_rows bounds the rows.
//
// No C++ object is alive in this file's functions: they may raise ERROR
// directly (see boundary.hpp).
#include "pg/ai_gate.hpp"
#include "pg/boundary.hpp"
#include "pg/tenant.hpp"

extern "C" {
#include "access/sysattr.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/analyze.h"
#include "parser/parse_func.h"
#include "parser/parser.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
#include "catalog/pg_class.h"
#include "access/htup_details.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
}

#include <cstring>

namespace {

constexpr int kMaxRowsLimit = 1000000;
constexpr long kFetchBatch = 256;
constexpr const char *kAiRole = "woo_ai";

[[noreturn]] void refuse(const char *what) {
    ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), errmsg("woo.ai_query refused the statement: %s", what),
                    errhint("woo.ai_query runs exactly one read-only SELECT (WITH ... SELECT, UNION and subqueries included).")));
    pg_unreachable();
}

struct GateState {
    int nodes;
    int max_nodes;
};

// Walks the raw parse tree; refuses anything that could write or lock, and
// counts the nodes.
bool gate_walker(Node *node, void *context) {
    if (node == nullptr) return false;
    auto *state = static_cast<GateState *>(context);
    if (++state->nodes > state->max_nodes)
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("woo.ai_query refused the statement: its parse tree has more than %d nodes", state->max_nodes),
                        errhint("Write a shorter query (woo.ai_max_parse_nodes = %d).", state->max_nodes)));
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
    return raw_expression_tree_walker(node, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(gate_walker)), context);
}

// Returns the text of the single SELECT in `sql`, or raises.
char *checked_select_text(const char *sql) {
    List *stmts = raw_parser(sql, RAW_PARSE_DEFAULT);
    if (list_length(stmts) != 1)
        refuse(list_length(stmts) == 0 ? "the statement is empty" : "only one statement is allowed");
    RawStmt *raw = linitial_node(RawStmt, stmts);
    if (!IsA(raw->stmt, SelectStmt)) refuse("only SELECT is allowed");
    GateState state{0, woo::pg::ai_max_parse_nodes_setting() + 32};  // + the wrapper around it
    gate_walker(raw->stmt, &state);
    const int len = raw->stmt_len > 0 ? raw->stmt_len : static_cast<int>(strlen(sql + raw->stmt_location));
    return pnstrdup(sql + raw->stmt_location, len);
}

void set_for_call(const char *name, const char *value) {
    (void)set_config_option(name, value, PGC_SUSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
}

// --- interrupt checkpoints in the model's expressions --------------------------------------

Oid checkpoint_fn = InvalidOid;       // woo._checkpoint(anyelement), during a call
bool wrapping = false;                // true while the model's SQL is parsed or planned
post_parse_analyze_hook_type prev_post_parse = nullptr;

Oid lookup_checkpoint() {
    Oid argtype = ANYELEMENTOID;
    Oid fn = LookupFuncName(list_make2(makeString(pstrdup("woo")), makeString(pstrdup("_checkpoint"))), 1, &argtype, true);
    if (!OidIsValid(fn))
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("woo.ai_query needs woo._checkpoint(anyelement) (extension version 1.5)"),
                        errhint("ALTER EXTENSION pg_woocommerce UPDATE.")));
    return fn;
}

Node *wrap_mutator(Node *node, void *context);

Node *wrap_expr(Node *node, Oid result_type) {
    // Fixed-width results are cheap and cannot grow; row values are left alone
    // (their descriptor is resolved from the expression that makes them).
    if (result_type == InvalidOid || get_typlen(result_type) != -1 || type_is_rowtype(result_type)) return node;
    const Oid collation = exprCollation(node);
    FuncExpr *check = makeFuncExpr(checkpoint_fn, result_type, list_make1(node), collation, collation, COERCE_EXPLICIT_CALL);
    check->location = exprLocation(node);
    return reinterpret_cast<Node *>(check);
}

Node *wrap_mutator(Node *node, void *context) {
    if (node == nullptr) return nullptr;
    if (IsA(node, Query))
        return reinterpret_cast<Node *>(query_tree_mutator(
            reinterpret_cast<Query *>(node), reinterpret_cast<Node *(*)()>(reinterpret_cast<void (*)()>(wrap_mutator)), context, 0));
    Node *copy = expression_tree_mutator(node, reinterpret_cast<Node *(*)()>(reinterpret_cast<void (*)()>(wrap_mutator)), context);
    if (IsA(copy, FuncExpr)) {
        auto *f = reinterpret_cast<FuncExpr *>(copy);
        if (!f->funcretset && f->funcid != checkpoint_fn) return wrap_expr(copy, f->funcresulttype);
    } else if (IsA(copy, OpExpr)) {
        auto *op = reinterpret_cast<OpExpr *>(copy);
        if (!op->opretset) return wrap_expr(copy, op->opresulttype);
    }
    return copy;
}

// --- column privileges, explained ------------------------------------------------------------
// A SELECT * (or a whole-row reference) over a table with columns woo_ai may
// not read fails in the executor with "permission denied for table customers",
// which names neither the column nor what to do. Checked after parse analysis,
// for woo.ai_query and for direct AI logins alike: the error names the columns
// refused and the columns allowed.

void explain_column_denial(RangeTblEntry *rte) {
    if (rte->rtekind != RTE_RELATION || !(rte->requiredPerms & ACL_SELECT)) return;
    const Oid user = OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
    if (pg_class_aclcheck(rte->relid, user, ACL_SELECT) == ACLCHECK_OK) return;
    HeapTuple rel_tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(rte->relid));
    if (!HeapTupleIsValid(rel_tuple)) return;
    const int natts = reinterpret_cast<Form_pg_class>(GETSTRUCT(rel_tuple))->relnatts;
    ReleaseSysCache(rel_tuple);
    bool whole_row = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, rte->selectedCols);
    StringInfoData denied, allowed;
    initStringInfo(&denied);
    initStringInfo(&allowed);
    for (AttrNumber att = 1; att <= natts; ++att) {
        char *name = get_attname(rte->relid, att, true);
        if (name == nullptr) continue;  // dropped column
        const bool ok = pg_attribute_aclcheck(rte->relid, att, user, ACL_SELECT) == ACLCHECK_OK;
        const bool selected = whole_row || bms_is_member(att - FirstLowInvalidHeapAttributeNumber, rte->selectedCols);
        StringInfo list = ok ? &allowed : (selected ? &denied : nullptr);
        if (list == nullptr) continue;
        appendStringInfo(list, "%s%s", list->len > 0 ? ", " : "", quote_identifier(name));
    }
    if (denied.len == 0 || allowed.len == 0) return;  // nothing readable: PostgreSQL's own error says it all
    char *rel = get_rel_name(rte->relid);
    ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                    errmsg("permission denied for column %s of table %s", denied.data, rel),
                    errdetail("Readable columns of %s: %s.", rel, allowed.data),
                    errhint("Name the readable columns you need instead of %s.* or a whole-row reference.", rel)));
}

bool column_denial_walker(Node *node, void *context) {
    if (node == nullptr) return false;
    if (IsA(node, RangeTblEntry)) {
        explain_column_denial(reinterpret_cast<RangeTblEntry *>(node));
        return false;
    }
    if (IsA(node, Query))
        return query_tree_walker(reinterpret_cast<Query *>(node),
                                 reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(column_denial_walker)), context,
                                 QTW_EXAMINE_RTES_BEFORE);
    return expression_tree_walker(node, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(column_denial_walker)), context);
}

void wrap_post_parse(ParseState *pstate, Query *query, JumbleState *jstate) {
    if (prev_post_parse != nullptr) prev_post_parse(pstate, query, jstate);
    if (query->commandType != CMD_SELECT) return;
    if (wrapping || (IsTransactionState() && woo::pg::ai_member())) column_denial_walker(reinterpret_cast<Node *>(query), nullptr);
    if (!wrapping) return;
    Query *wrapped = query_tree_mutator(query, reinterpret_cast<Node *(*)()>(reinterpret_cast<void (*)()>(wrap_mutator)), nullptr, 0);
    *query = *wrapped;
}

// Bytes in use (not merely allocated) in CacheMemoryContext: the catalog
// cache entries, negative ones included. Freed entries stay allocated by the
// context for reuse, so the allocated size alone would not show a refill.
Size cache_bytes() {
    if (CacheMemoryContext == nullptr) return 0;
    MemoryContextCounters counters;
    std::memset(&counters, 0, sizeof counters);
    CacheMemoryContext->methods->stats(CacheMemoryContext, nullptr, nullptr, &counters, false);
    return counters.totalspace - counters.freespace;
}

}  // namespace

namespace woo::pg {
void install_ai_query_hook() {
    prev_post_parse = post_parse_analyze_hook;
    post_parse_analyze_hook = wrap_post_parse;
}
}  // namespace woo::pg

// woo._checkpoint(anyelement) RETURNS anyelement: an interrupt check that
// returns its argument (wrapped around the model's expressions by woo.ai_query).
extern "C" {
PG_FUNCTION_INFO_V1(woo_checkpoint);
Datum woo_checkpoint(PG_FUNCTION_ARGS) {
    CHECK_FOR_INTERRUPTS();
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}
}

namespace {
void check_sql_size(Size bytes) {
    const int max_sql = woo::pg::ai_max_sql_bytes_setting();
    if (bytes > static_cast<Size>(max_sql))
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("woo.ai_query refused the statement: it is %zu bytes long, at most %d are allowed",
                               static_cast<size_t>(bytes), max_sql),
                        errhint("Write a shorter query (woo.ai_max_sql_bytes = %d).", max_sql)));
}
}  // namespace

// Everything woo.ai_query checks in the statement before it runs it (size,
// parse-tree size, one read-only SELECT); shared with woo.check_ai_query
// (woo.save_chart) so that both refuse alike.
char *woo::pg::ai_query_gate(const char *sql, int max_rows) {
    check_sql_size(strlen(sql));
    char *select_text = checked_select_text(sql);
    // The wrapped statement must itself be one plain SELECT: a second check
    // that the text cut from the original is a complete unit.
    char *wrapped = psprintf("SELECT pg_catalog.to_jsonb(q) FROM (\n%s\n) AS q LIMIT %d", select_text, max_rows);
    (void)checked_select_text(wrapped);
    return wrapped;
}

WOO_FUNCTION(woo_ai_query) {
    text *sql_text = PG_GETARG_TEXT_PP(0);
    const int max_rows = PG_GETARG_INT32(1);
    if (max_rows < 1 || max_rows > kMaxRowsLimit)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("max_rows must be between 1 and %d, not %d", kMaxRowsLimit, max_rows)));
    // The text size is checked before the text is even copied.
    check_sql_size(VARSIZE_ANY_EXHDR(sql_text));
    char *sql = text_to_cstring(sql_text);

    // Fails with 42501 when the caller has no bound store.
    (void)woo::pg::bound_store_or_error();

    char *wrapped = woo::pg::ai_query_gate(sql, max_rows);

    const Oid ai_role = get_role_oid(kAiRole, false);
    checkpoint_fn = lookup_checkpoint();
    InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
    ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);

    Oid saved_user;
    int saved_sec_context;
    GetUserIdAndSecContext(&saved_user, &saved_sec_context);
    const bool outer_timeout_active = get_timeout_active(STATEMENT_TIMEOUT);
    const TimestampTz outer_timeout_at = outer_timeout_active ? get_timeout_finish_time(STATEMENT_TIMEOUT) : 0;
    const TimestampTz ai_timeout_at =
        TimestampTzPlusMilliseconds(GetCurrentTimestamp(), woo::pg::ai_statement_timeout_ms());
    const int64 max_bytes = woo::pg::ai_max_result_bytes();
    const Size cache_before = cache_bytes();

    // Errors inside unwind through transaction abort, which restores the user,
    // the GUC nest level and SPI; the timer and the hook flag are put back explicitly.
    PG_TRY();
    {
        const int guc_level = NewGUCNestLevel();
        set_for_call("transaction_read_only", "on");
        set_for_call("search_path", "pg_catalog, public, pg_temp");
        set_for_call("row_security", "on");
        set_for_call("work_mem", psprintf("%d", woo::pg::ai_work_mem_kb_setting()));
        set_for_call("temp_file_limit", psprintf("%d", woo::pg::ai_temp_file_limit_kb_setting()));
        if (!outer_timeout_active || ai_timeout_at < outer_timeout_at) enable_timeout_at(STATEMENT_TIMEOUT, ai_timeout_at);

        SetUserIdAndSecContext(ai_role, saved_sec_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
        wrapping = true;
        SPIPlanPtr plan = SPI_prepare(wrapped, 0, nullptr);
        if (plan == nullptr) elog(ERROR, "woo.ai_query: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
        Portal portal = SPI_cursor_open(nullptr, plan, nullptr, nullptr, /*read_only=*/true);
        int64 bytes = 0;
        for (;;) {
            SPI_cursor_fetch(portal, true, kFetchBatch);
            if (SPI_processed == 0) break;
            for (uint64 i = 0; i < SPI_processed; ++i) {
                bool isnull;
                Datum value = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
                if (!isnull) bytes += VARSIZE_ANY(DatumGetPointer(value));
                if (bytes > max_bytes)
                    ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                                    errmsg("woo.ai_query result exceeds %lld bytes", static_cast<long long>(max_bytes)),
                                    errhint("Select fewer or narrower rows: aggregate, or lower max_rows (woo.ai_max_result_bytes).")));
                tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
            }
            SPI_freetuptable(SPI_tuptable);
        }
        SPI_cursor_close(portal);
        wrapping = false;
        SPI_finish();
        SetUserIdAndSecContext(saved_user, saved_sec_context);
        // As if aborted: every setting made at this level is undone, including a
        // plain SET / set_config(..., false) in the model's SQL, which would
        // otherwise outlive the call and reach the next tenant on a pooled connection.
        AtEOXact_GUC(false, guc_level);
    }
    PG_FINALLY();
    {
        wrapping = false;
        if (outer_timeout_active)
            enable_timeout_at(STATEMENT_TIMEOUT, outer_timeout_at);
        else
            disable_timeout(STATEMENT_TIMEOUT, false);
    }
    PG_END_TRY();

    // What the call made the backend cache (names, oids, relations it looked
    // up) is dropped when it grew beyond the budget.
    const Size cache_after = cache_bytes();
    if (cache_after > cache_before && static_cast<int64>(cache_after - cache_before) > woo::pg::ai_max_cache_growth_bytes())
        InvalidateSystemCaches();
    return (Datum)0;
}
