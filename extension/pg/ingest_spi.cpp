// SPI parameter building and the statements every resource shares: array
// parameters, re-planning after growth, guests by e-mail hash, affected customers,
// saved plans.

#include "pg/ingest_common.hpp"

#include "pg/tenant.hpp"
#include "pg/boundary.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/plancache.h"
#include "utils/inval.h"
#include "access/genam.h"
#include "access/hash.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "executor/tuptable.h"
#include "utils/fmgroids.h"
#include "utils/snapmgr.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"
#include "utils/lsyscache.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "utils/memutils.h"
#include "access/xact.h"
#include "utils/resowner.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
}

#include "core/crypto.hpp"
#include "core/email.hpp"
#include "core/values.hpp"

#include <cstring>
#include <string_view>

namespace woo::pg::ingest {

// ---- array parameters ---------------------------------------------------------------

void column_init(Column *c, Oid elemtype, int cap) {
    c->elemtype = elemtype;
    get_typlenbyvalalign(elemtype, &c->typlen, &c->typbyval, &c->typalign);
    c->cap = cap > 0 ? cap : 1;
    c->n = 0;
    c->values = static_cast<Datum *>(palloc(sizeof(Datum) * c->cap));
    c->nulls = static_cast<bool *>(palloc(sizeof(bool) * c->cap));
}

void result_columns(Column *cols, const Oid *types, int ncols) {
    const int n = static_cast<int>(SPI_processed);
    for (int k = 0; k < ncols; ++k) column_init(&cols[k], types[k], n);
    for (int t = 0; t < n; ++t) {
        HeapTuple tup = SPI_tuptable->vals[t];
        for (int k = 0; k < ncols; ++k) {
            bool isnull;
            Datum d = SPI_getbinval(tup, SPI_tuptable->tupdesc, k + 1, &isnull);
            if (!isnull && !cols[k].typbyval) d = datumCopy(d, false, cols[k].typlen);
            column_push(&cols[k], d, isnull);
        }
    }
}

bool woo_function_exists(const char *name, int nargs, const Oid *types) {
    return OidIsValid(LookupFuncName(list_make2(makeString(pstrdup("woo")), makeString(pstrdup(name))), nargs, types, true));
}

Datum random_uuids(int n) {
    auto *bytes = static_cast<unsigned char *>(palloc(sizeof(pg_uuid_t) * (n > 0 ? n : 1)));
    if (n > 0 && !pg_strong_random(bytes, sizeof(pg_uuid_t) * n))
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("could not generate random values")));
    Column c;
    column_init(&c, UUIDOID, n);
    for (int i = 0; i < n; ++i) {
        unsigned char *u = bytes + sizeof(pg_uuid_t) * i;
        u[6] = (u[6] & 0x0f) | 0x40;  // version 4 (RFC 4122 4.4), as gen_random_uuid
        u[8] = (u[8] & 0x3f) | 0x80;  // variant RFC 4122
        column_push(&c, UUIDPGetDatum(reinterpret_cast<pg_uuid_t *>(u)), false);
    }
    return column_array(&c);
}

void column_push(Column *c, Datum v, bool isnull) {
    if (c->n == c->cap) {
        c->cap *= 2;
        c->values = static_cast<Datum *>(repalloc(c->values, sizeof(Datum) * c->cap));
        c->nulls = static_cast<bool *>(repalloc(c->nulls, sizeof(bool) * c->cap));
    }
    c->values[c->n] = isnull ? (Datum)0 : v;
    c->nulls[c->n] = isnull;
    ++c->n;
}

Datum column_array(const Column *c) {
    int dims[1] = {c->n};
    int lbs[1] = {1};
    return PointerGetDatum(construct_md_array(c->values, c->nulls, 1, dims, lbs, c->elemtype, c->typlen, c->typbyval, c->typalign));
}

// ---- plans after growth --------------------------------------------------------------

void replan_after_growth() {
    // Per backend: each table's size (blocks) when its plans were last made to be
    // re-planned. Without statistics the planner ties every store_id index on a
    // near-empty table, so a plan made then may scan the store per row; at any
    // real size the all-columns-equal unique index is strictly cheaper. Doubling
    // bounds the re-plans to log2(size) per backend.
    static const char *const kTables[] = {"orders", "order_items", "products", "customers", "categories", "coupons"};
    static Oid relids[6];
    static BlockNumber planned_at[6];
    const Oid ns = get_namespace_oid("public", true);
    if (!OidIsValid(ns)) return;
    for (int i = 0; i < 6; ++i) {
        const Oid relid = get_relname_relid(kTables[i], ns);
        if (!OidIsValid(relid)) continue;
        if (relid != relids[i]) {
            relids[i] = relid;
            planned_at[i] = 0;
        }
        Relation rel = table_open(relid, AccessShareLock);
        const BlockNumber blocks = RelationGetNumberOfBlocks(rel);
        table_close(rel, AccessShareLock);
        if (blocks < 4 || blocks < 2 * planned_at[i]) continue;
        planned_at[i] = blocks;
        CacheInvalidateRelcacheByRelid(relid);
    }
}

// ---- direct index probes ----------------------------------------------------------------

bool probe_begin(const char *table, const char *index, int nkeys, IndexProbe *p) {
    const Oid ns = get_namespace_oid("public", false);
    const Oid relid = get_relname_relid(table, ns);
    const Oid idxid = get_relname_relid(index, ns);
    if (!OidIsValid(relid) || !OidIsValid(idxid)) return false;
    p->heap = table_open(relid, AccessShareLock);
    p->idx = index_open(idxid, AccessShareLock);
    CommandCounterIncrement();
    p->snap = RegisterSnapshot(GetTransactionSnapshot());
    p->snap->curcid = GetCurrentCommandId(false);
    p->scan = index_beginscan(p->heap, p->idx, p->snap, nkeys, 0);
    p->slot = table_slot_create(p->heap, nullptr);
    return true;
}

void probe_end(IndexProbe *p) {
    ExecDropSingleTupleTableSlot(p->slot);
    index_endscan(p->scan);
    UnregisterSnapshot(p->snap);
    index_close(p->idx, AccessShareLock);
    table_close(p->heap, AccessShareLock);
}

void probe_uuid(IndexProbe *p, Datum key) {
    CHECK_FOR_INTERRUPTS();
    ScanKeyData k;
    ScanKeyInit(&k, 1, p->idx->rd_rel->relam == HASH_AM_OID ? HTEqualStrategyNumber : BTEqualStrategyNumber, F_UUID_EQ,
                key);
    index_rescan(p->scan, &k, 1, nullptr, 0);
}

bool probe_uuid_next(IndexProbe *p, AttrNumber key_att, Datum key) {
    while (index_getnext_slot(p->scan, ForwardScanDirection, p->slot)) {
        bool isnull;
        const Datum v = slot_getattr(p->slot, key_att, &isnull);
        if (!isnull && std::memcmp(DatumGetUUIDP(v), DatumGetUUIDP(key), sizeof(pg_uuid_t)) == 0) return true;
    }
    return false;
}


int probe_guests(Datum store, const Column *hashes, char **keys_out, Datum *ids_out, bool first_only) {
    IndexProbe p;
    if (!probe_begin("customers", "customers_store_guest_email_key", 2, &p)) return -1;
    const AttrNumber id_att = get_attnum(RelationGetRelid(p.heap), "id");
    int found = 0;
    for (int k = 0; k < hashes->n; ++k) {
        if (hashes->nulls[k]) continue;
        ScanKeyData keys[2];
        ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_UUID_EQ, store);
        ScanKeyEntryInitialize(&keys[1], 0, 2, BTEqualStrategyNumber, InvalidOid, p.idx->rd_indcollation[1], F_TEXTEQ,
                               hashes->values[k]);
        index_rescan(p.scan, keys, 2, nullptr, 0);
        if (!index_getnext_slot(p.scan, ForwardScanDirection, p.slot)) continue;
        if (ids_out != nullptr) {
            bool isnull;
            auto *u = static_cast<pg_uuid_t *>(palloc(sizeof(pg_uuid_t)));
            std::memcpy(u, DatumGetUUIDP(slot_getattr(p.slot, id_att, &isnull)), sizeof(pg_uuid_t));
            ids_out[found] = UUIDPGetDatum(u);
            keys_out[found] = TextDatumGetCString(hashes->values[k]);
        }
        ++found;
        if (first_only) break;
    }
    probe_end(&p);
    return found;
}

int probe_order_items(Datum store, const Column *order_ids, Column *tids_out) {
    IndexProbe p;
    if (!probe_begin("order_items", "order_items_order_id_hash", 1, &p)) return -1;
    const AttrNumber store_att = get_attnum(RelationGetRelid(p.heap), "store_id");
    const AttrNumber order_att = get_attnum(RelationGetRelid(p.heap), "order_id");
    int found = 0;
    for (int k = 0; k < order_ids->n; ++k) {
        if (order_ids->nulls[k]) continue;
        probe_uuid(&p, order_ids->values[k]);
        while (probe_uuid_next(&p, order_att, order_ids->values[k])) {
            bool store_null;
            const Datum st = slot_getattr(p.slot, store_att, &store_null);
            if (store_null || !DatumGetBool(DirectFunctionCall2(uuid_eq, st, store))) continue;  // another store's row
            auto *tid = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData)));
            ItemPointerCopy(&p.slot->tts_tid, tid);
            column_push(tids_out, PointerGetDatum(tid), false);
            ++found;
        }
    }
    probe_end(&p);
    return found;
}

// ---- affected customers ------------------------------------------------------------

void affected_init(Column *c) { column_init(c, UUIDOID, 64); }

void affected_add(Column *c, Datum uuid) {
    auto *copy = static_cast<pg_uuid_t *>(MemoryContextAlloc(GetMemoryChunkContext(c->values), sizeof(pg_uuid_t)));
    std::memcpy(copy, DatumGetUUIDP(uuid), sizeof(pg_uuid_t));
    column_push(c, UUIDPGetDatum(copy), false);
}

// What woo.recompute_customer_metrics(store, ids) does, in shapes that do not
// depend on statistics, in three statements whatever the number of customers:
//   1. the customers are locked one by one through their primary key, in id
//      order (a LATERAL probe the planner cannot flatten: OFFSET 0);
//   2. a new snapshot (which sees any concurrent writer of these customers that
//      committed while we waited for its lock) computes each one's metrics from
//      its own orders (a probe of orders.customer_id per customer) and returns
//      those that differ, with their row's ctid;
//   3. one UPDATE writes them, a TID probe per row (everything else is disabled
//      for its planning: joined with the customers table, the list would
//      otherwise be planned from the table's size when the plan was made, or
//      from the row-level security qual, as a scan of every customer of the store).
// total_spent saturates at the bounds of numeric(12,2), as in
// woo.expected_customer_metrics (README, "Customer metrics").
static Statement lock_customers = {
    "SELECT l.id FROM (SELECT DISTINCT a.id FROM unnest($2::uuid[]) AS a(id) ORDER BY a.id) AS k "
    "CROSS JOIN LATERAL (SELECT c.id FROM public.customers c WHERE c.id = k.id AND c.store_id = $1 "
    "                     OFFSET 0 FOR NO KEY UPDATE) l",
    2, {UUIDOID, UUIDARRAYOID}, nullptr};
static Statement excluded_statuses = {"SELECT woo.excluded_statuses($1)", 1, {UUIDOID}, nullptr};
static Statement changed_metrics = {
    "SELECT l.tid, x.spent, x.n, x.first, x.last "
    "  FROM unnest($2::uuid[]) AS k(id) "
    "CROSS JOIN LATERAL (SELECT c.ctid AS tid, c.id, c.total_spent, c.order_count, c.first_order_date, c.last_order_date "
    "                      FROM public.customers c WHERE c.id = k.id AND c.store_id = $1 OFFSET 0) l "
    "CROSS JOIN LATERAL (SELECT least(greatest(coalesce(sum(o.total - o.refunded_total), 0), -9999999999.99), 9999999999.99)"
    "                           ::numeric(12,2) AS spent, count(*)::integer AS n, "
    "                           min(o.date_created) AS first, max(o.date_created) AS last "
    "                      FROM public.orders o WHERE o.store_id = $1 AND o.customer_id = l.id AND o.status <> ALL ($3)) x "
    " WHERE (l.total_spent, l.order_count, l.first_order_date, l.last_order_date) "
    "       IS DISTINCT FROM (x.spent, x.n, x.first, x.last)",
    3, {UUIDOID, UUIDARRAYOID, TEXTARRAYOID}, nullptr};
static Statement write_metrics = {
    "UPDATE public.customers c SET total_spent = u.spent, order_count = u.n, first_order_date = u.first, last_order_date = u.last "
    "  FROM unnest($1::tid[], $2::numeric[], $3::int4[], $4::timestamptz[], $5::timestamptz[]) AS u(tid, spent, n, first, last) "
    " WHERE c.ctid = u.tid",
    5, {TIDARRAYOID, NUMERICARRAYOID, INT4ARRAYOID, TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID}, nullptr};

int run_tid_probing(Statement *s, Datum *values, const char *nulls) {
    if (s->plan == nullptr) {
        // Always its generic plan: the one built below, under the settings.
        SPIPlanPtr plan = SPI_prepare_cursor(s->sql, s->nargs, s->argtypes, CURSOR_OPT_GENERIC_PLAN);
        if (plan == nullptr) elog(ERROR, "SPI_prepare failed for \"%s\": %s", s->sql, SPI_result_code_string(SPI_result));
        if (SPI_keepplan(plan) != 0) elog(ERROR, "SPI_keepplan failed");
        s->plan = plan;
    }
    // The settings hold while the plan is made (or found still valid), not while
    // it runs: the statement's triggers (foreign-key checks, the rollup's) plan
    // and cache their own queries with the session's settings.
    {
        MemoryContext caller = CurrentMemoryContext;
        const int level = NewGUCNestLevel();
        for (const char *setting : {"enable_seqscan", "enable_bitmapscan", "enable_indexscan", "enable_indexonlyscan",
                                    "enable_hashjoin", "enable_mergejoin"})
            (void)set_config_option(setting, "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
        CachedPlan *cplan = SPI_plan_get_cached_plan(s->plan);
        if (cplan == nullptr) elog(ERROR, "could not plan \"%s\"", s->sql);
        ReleaseCachedPlan(cplan, CurrentResourceOwner);
        AtEOXact_GUC(true, level);
        MemoryContextSwitchTo(caller);
    }
    return run(s, values, nulls);
}

void recompute_affected(const Call *call, const Column *c) {
    if (c->n == 0) return;
    // The library also serves databases still at 1.2, which have no metrics.
    static const Oid argtypes[2] = {UUIDOID, UUIDARRAYOID};
    if (!woo_function_exists("recompute_customer_metrics", 2, argtypes)) return;
    Datum values[3] = {call->store_id, column_array(c), (Datum)0};
    run(&excluded_statuses, values, " ");
    bool excluded_null;
    Datum excluded = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &excluded_null);
    if (!excluded_null) excluded = PointerGetDatum(DatumGetArrayTypePCopy(excluded));
    SPI_freetuptable(SPI_tuptable);

    // 1. locks; the ids locked (distinct, in order) are the ones recomputed
    run(&lock_customers, values, "  ");
    Column locked;
    static const Oid locked_type[1] = {UUIDOID};
    result_columns(&locked, locked_type, 1);
    SPI_freetuptable(SPI_tuptable);
    if (locked.n == 0) return;

    // 2. the metrics that differ
    values[1] = column_array(&locked);
    values[2] = excluded;
    const char nulls[4] = {' ', ' ', excluded_null ? 'n' : ' ', '\0'};
    run(&changed_metrics, values, nulls);
    Column cols[5];
    static const Oid types[5] = {TIDOID, NUMERICOID, INT4OID, TIMESTAMPTZOID, TIMESTAMPTZOID};
    result_columns(cols, types, 5);
    SPI_freetuptable(SPI_tuptable);
    if (cols[0].n == 0) return;

    // 3. one UPDATE, a TID probe per row
    Datum w[5];
    for (int k = 0; k < 5; ++k) w[k] = column_array(&cols[k]);
    run_tid_probing(&write_metrics, w, "     ");
}

// ---- saved plans ----------------------------------------------------------------------

int run(Statement *s, Datum *values, const char *nulls) {
    // SPI returns in its procedure context, which lives until SPI_finish: back
    // to the caller's (a chunk's), so what the caller allocates next is freed
    // with the chunk.
    MemoryContext caller = CurrentMemoryContext;
    if (s->plan == nullptr) {
        SPIPlanPtr plan = SPI_prepare(s->sql, s->nargs, s->argtypes);
        if (plan == nullptr) elog(ERROR, "SPI_prepare failed for \"%s\": %s", s->sql, SPI_result_code_string(SPI_result));
        if (SPI_keepplan(plan) != 0) elog(ERROR, "SPI_keepplan failed");
        s->plan = plan;
    }
    const int rc = SPI_execute_plan(s->plan, values, nulls, false, 0);
    MemoryContextSwitchTo(caller);
    if (rc < 0) elog(ERROR, "SPI_execute_plan failed (%s) for \"%s\"", SPI_result_code_string(rc), s->sql);
    return rc;
}

text *text_of(const char *s) { return cstring_to_text(s); }
char *cstring_of(text *t) { return text_to_cstring(t); }

}  // namespace woo::pg::ingest
