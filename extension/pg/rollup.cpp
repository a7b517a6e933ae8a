// woo._sales_daily_trigger() and woo._sales_daily_flush() (extension 1.7): the
// day-level rollup public.sales_daily, in the writer's transaction.
//
// Definitions (README, "Sales analytics"): an order counts while its status is
// not one of its store's excluded statuses; its amounts count on the store-local
// date of its date_created (the store's time zone), its line items' quantities
// on the same day, each refund on the store-local date of the refund's own
// date_created. gross = total - tax - shipping + discount (a NULL amount is 0).
//
// The trigger, per table (its argument):
//   orders       AFTER INSERT / AFTER UPDATE per statement (transition tables):
//                an order's own amounts; when its store, day or counting changes,
//                its line items and refunds as stored move with it. BEFORE DELETE
//                per row: everything the order contributed (its items and refunds
//                are still there; their own delete triggers then find no order).
//   order_items  AFTER INSERT / UPDATE / DELETE per statement: the quantities, on
//                their order's day while the order counts.
//   refunds      AFTER INSERT / UPDATE / DELETE per statement: the amounts, on
//                their own day while their order counts.
// Orders, line items and refunds are read by direct probes of orders_pkey,
// order_items_order_id_hash and refunds_order_id_hash (no plan: the same work at
// any size, whatever the statistics say).
//
// Locking (as 1.6's triggers): before a store's day rules are read, the shared
// side of its advisory lock (hashtext('woo.sales_daily'), hashtext(store)) is
// taken, stores in order; a rebuild (woo._rebuild_sales_daily) holds the exclusive
// side, so a writer either commits before the rebuild reads the raw tables or
// reads the rules the rebuild committed. Deltas are written in (store, day) order
// in the writer's slot (backend pid mod 8).
#include "pg/boundary.hpp"
#include "pg/ingest_common.hpp"
#include "pg/rollup.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/uuid.h"
}

#include <cstdlib>
#include <cstring>

using namespace woo::pg::ingest;

namespace {

// ---- deltas ---------------------------------------------------------------------

enum Metric { kItems, kGross, kDiscounts, kRefunds, kTaxes, kShipping, kMetrics };

struct DayKey {
    pg_uuid_t store;
    DateADT day;
};
struct DayEntry {
    DayKey key;
    int64 orders;
    Datum v[kMetrics];  // numeric in the deltas' context; 0: nothing added yet
};

// A store's day rules: the time zone and the excluded statuses.
struct Rules {
    pg_uuid_t store;
    text *tz;
    int n_excluded;
    text **excluded;
};

struct Deltas {
    MemoryContext cxt;
    HTAB *days;   // DayKey -> DayEntry
    HTAB *rules;  // pg_uuid_t -> Rules (their stores' shared locks are held)
    int nest_level;
};

Deltas *deltas_create(MemoryContext parent) {
    MemoryContext cxt = AllocSetContextCreate(parent, "woo sales_daily deltas", ALLOCSET_SMALL_SIZES);
    auto *d = static_cast<Deltas *>(MemoryContextAllocZero(cxt, sizeof(Deltas)));
    d->cxt = cxt;
    HASHCTL ctl;
    std::memset(&ctl, 0, sizeof(ctl));
    ctl.keysize = sizeof(DayKey);
    ctl.entrysize = sizeof(DayEntry);
    ctl.hcxt = cxt;
    d->days = hash_create("woo sales_daily days", 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
    std::memset(&ctl, 0, sizeof(ctl));
    ctl.keysize = sizeof(pg_uuid_t);
    ctl.entrysize = sizeof(Rules);
    ctl.hcxt = cxt;
    d->rules = hash_create("woo sales_daily rules", 8, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
    d->nest_level = GetCurrentTransactionNestLevel();
    return d;
}

// The batch of woo.upsert_orders' current write, or null.
Deltas *batch = nullptr;

DayEntry *day_entry(Deltas *d, const pg_uuid_t *store, DateADT day) {
    DayKey key;
    std::memset(&key, 0, sizeof(key));
    std::memcpy(&key.store, store, sizeof(pg_uuid_t));
    key.day = day;
    bool found;
    auto *e = static_cast<DayEntry *>(hash_search(d->days, &key, HASH_ENTER, &found));
    if (!found) {
        e->orders = 0;
        for (Datum &v : e->v) v = (Datum)0;
    }
    return e;
}

// e->v[m] += sign * value (value: numeric; may live in a tuple that goes away). The
// previous sum is freed: a statement of a million rows keeps one numeric per metric and day.
void add(Deltas *d, DayEntry *e, Metric m, Datum value, int sign) {
    value = PointerGetDatum(PG_DETOAST_DATUM(value));  // (a short-header value: its copy in the firing's memory)
    MemoryContext old = MemoryContextSwitchTo(d->cxt);
    const Datum prev = e->v[m];
    if (prev == (Datum)0) {
        e->v[m] = sign < 0 ? DirectFunctionCall1(numeric_uminus, value) : datumCopy(value, false, -1);
    } else {
        e->v[m] = DirectFunctionCall2(sign < 0 ? numeric_sub : numeric_add, prev, value);
        pfree(DatumGetPointer(prev));
    }
    MemoryContextSwitchTo(old);
}

// ---- day rules and locks -------------------------------------------------------------

int32 hash_text(const char *s) {
    return DatumGetInt32(DirectFunctionCall1Coll(hashtext, DEFAULT_COLLATION_OID, CStringGetTextDatum(s)));
}

int uuid_order(const void *a, const void *b) { return std::memcmp(a, b, sizeof(pg_uuid_t)); }

Statement store_rules = {"SELECT r.store_id, r.time_zone, r.excluded FROM woo._store_rules($1) r", 1, {UUIDARRAYOID},
                         nullptr};

// Makes sure d holds the rules of `stores` (n, may repeat): the missing ones are
// locked (shared side, in store order) and then read, in one statement.
void ensure_rules(Deltas *d, const pg_uuid_t *stores, int n) {
    auto *missing = static_cast<pg_uuid_t *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(pg_uuid_t) * (n > 0 ? n : 1)));
    int m = 0;
    for (int i = 0; i < n; ++i) {
        if (hash_search(d->rules, &stores[i], HASH_FIND, nullptr) != nullptr) continue;
        bool dup = false;
        for (int k = 0; k < m && !dup; ++k) dup = std::memcmp(&missing[k], &stores[i], sizeof(pg_uuid_t)) == 0;
        if (!dup) missing[m++] = stores[i];
    }
    if (m == 0) return;
    qsort(missing, m, sizeof(pg_uuid_t), uuid_order);
    const int32 space = hash_text("woo.sales_daily");
    Column ids;
    column_init(&ids, UUIDOID, m);
    for (int k = 0; k < m; ++k) {
        const char *s = DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(&missing[k])));
        DirectFunctionCall2(pg_advisory_xact_lock_shared_int4, Int32GetDatum(space), Int32GetDatum(hash_text(s)));
        column_push(&ids, UUIDPGetDatum(&missing[k]), false);
    }
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    Datum values[1] = {column_array(&ids)};
    run(&store_rules, values, " ");
    for (uint64 t = 0; t < SPI_processed; ++t) {
        HeapTuple tup = SPI_tuptable->vals[t];
        bool null_store, null_tz, null_ex;
        Datum store = SPI_getbinval(tup, SPI_tuptable->tupdesc, 1, &null_store);
        Datum tz = SPI_getbinval(tup, SPI_tuptable->tupdesc, 2, &null_tz);
        Datum ex = SPI_getbinval(tup, SPI_tuptable->tupdesc, 3, &null_ex);
        if (null_store || null_tz) continue;
        bool found;
        auto *r = static_cast<Rules *>(hash_search(d->rules, DatumGetUUIDP(store), HASH_ENTER, &found));
        MemoryContext old = MemoryContextSwitchTo(d->cxt);
        r->tz = DatumGetTextPCopy(tz);
        r->n_excluded = 0;
        r->excluded = nullptr;
        if (!null_ex) {
            Datum *elems;
            bool *nulls;
            deconstruct_array(DatumGetArrayTypeP(ex), TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &r->n_excluded);
            r->excluded = static_cast<text **>(palloc(sizeof(text *) * (r->n_excluded > 0 ? r->n_excluded : 1)));
            for (int k = 0; k < r->n_excluded; ++k) r->excluded[k] = nulls[k] ? nullptr : DatumGetTextPCopy(elems[k]);
        }
        MemoryContextSwitchTo(old);
    }
    SPI_finish();
}

const Rules *rules_of(Deltas *d, const pg_uuid_t *store) {
    return static_cast<const Rules *>(hash_search(d->rules, store, HASH_FIND, nullptr));
}

// Two texts of the same bytes (the database's collation is deterministic).
bool same_text(const text *x, const text *y) {
    return VARSIZE_ANY_EXHDR(x) == VARSIZE_ANY_EXHDR(y) && std::memcmp(VARDATA_ANY(x), VARDATA_ANY(y), VARSIZE_ANY_EXHDR(x)) == 0;
}

// status::text <> ALL (excluded) is true: the order counts. As in SQL, a NULL in the
// list makes the test NULL when nothing else matches, and the order does not count.
bool counts(const Rules *r, Datum status) {
    const text *s = DatumGetTextPP(status);
    bool any_null = false;
    for (int k = 0; k < r->n_excluded; ++k) {
        if (r->excluded[k] == nullptr) any_null = true;
        else if (same_text(r->excluded[k], s)) return false;
    }
    return !any_null;
}

// (ts AT TIME ZONE tz)::date
DateADT local_day(const Rules *r, Datum ts) {
    Datum local = DirectFunctionCall2(timestamptz_zone, PointerGetDatum(r->tz), ts);
    return DatumGetDateADT(DirectFunctionCall1(timestamp_date, local));
}

// ---- writing ---------------------------------------------------------------------------

int day_order(const void *a, const void *b) {
    const auto *x = *static_cast<DayEntry *const *>(a);
    const auto *y = *static_cast<DayEntry *const *>(b);
    const int c = std::memcmp(&x->key.store, &y->key.store, sizeof(pg_uuid_t));
    if (c != 0) return c;
    return x->key.day < y->key.day ? -1 : x->key.day > y->key.day ? 1 : 0;
}

Statement add_days = {
    "INSERT INTO public.sales_daily AS t (store_id, day, slot, orders, items_sold, gross_sales, discounts, refunds, taxes, shipping) "
    "SELECT u.s, u.d, $10, u.o, u.i, u.g, u.di, u.r, u.t, u.sh "
    "  FROM unnest($1::uuid[], $2::date[], $3::int4[], $4::numeric[], $5::numeric[], $6::numeric[], $7::numeric[], "
    "              $8::numeric[], $9::numeric[]) WITH ORDINALITY AS u(s, d, o, i, g, di, r, t, sh, n) "
    " ORDER BY u.n "
    "ON CONFLICT (store_id, day, slot) DO UPDATE "
    "   SET orders = t.orders + EXCLUDED.orders, items_sold = t.items_sold + EXCLUDED.items_sold, "
    "       gross_sales = t.gross_sales + EXCLUDED.gross_sales, discounts = t.discounts + EXCLUDED.discounts, "
    "       refunds = t.refunds + EXCLUDED.refunds, taxes = t.taxes + EXCLUDED.taxes, shipping = t.shipping + EXCLUDED.shipping",
    10,
    {UUIDARRAYOID, DATEARRAYOID, INT4ARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID,
     NUMERICARRAYOID, NUMERICARRAYOID, INT2OID},
    nullptr};

// Writes d's non-zero days, in (store, day) order, with one statement.
void write_deltas(Deltas *d) {
    const long n = hash_get_num_entries(d->days);
    if (n == 0) return;
    auto **entries = static_cast<DayEntry **>(palloc(sizeof(DayEntry *) * n));
    Datum zero = DirectFunctionCall3(numeric_in, CStringGetDatum("0"), ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
    int m = 0;
    HASH_SEQ_STATUS seq;
    hash_seq_init(&seq, d->days);
    while (auto *e = static_cast<DayEntry *>(hash_seq_search(&seq))) {
        bool nonzero = e->orders != 0;
        for (int k = 0; k < kMetrics && !nonzero; ++k)
            nonzero = e->v[k] != (Datum)0 && !DatumGetBool(DirectFunctionCall2(numeric_eq, e->v[k], zero));
        if (nonzero) entries[m++] = e;
    }
    if (m == 0) return;
    if (m > 1) qsort(entries, m, sizeof(DayEntry *), day_order);
    Column c[9];
    const Oid types[9] = {UUIDOID, DATEOID, INT4OID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID};
    for (int k = 0; k < 9; ++k) column_init(&c[k], types[k], m);
    for (int i = 0; i < m; ++i) {
        const DayEntry *e = entries[i];
        if (e->orders < PG_INT32_MIN || e->orders > PG_INT32_MAX)
            ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("sales_daily: order count delta out of range")));
        column_push(&c[0], UUIDPGetDatum(&e->key.store), false);
        column_push(&c[1], DateADTGetDatum(e->key.day), false);
        column_push(&c[2], Int32GetDatum(static_cast<int32>(e->orders)), false);
        for (int k = 0; k < kMetrics; ++k) column_push(&c[3 + k], e->v[k] != (Datum)0 ? e->v[k] : zero, false);
    }
    Datum values[10];
    for (int k = 0; k < 9; ++k) values[k] = column_array(&c[k]);
    values[9] = Int16GetDatum(static_cast<int16>(MyProcPid % 8));
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    run(&add_days, values, "          ");
    SPI_finish();
}

// ---- reading rows ------------------------------------------------------------------------

// A transition table read through a read pointer of its own (others' stay where they are).
struct TransitionScan {
    Tuplestorestate *ts;
    int ptr;
    TupleTableSlot *slot;
};
void scan_begin(TransitionScan *s, Tuplestorestate *ts, TupleDesc desc) {
    s->ts = ts;
    s->ptr = tuplestore_alloc_read_pointer(ts, EXEC_FLAG_REWIND);
    tuplestore_select_read_pointer(ts, s->ptr);
    tuplestore_rescan(ts);
    tuplestore_select_read_pointer(ts, 0);
    s->slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
}
bool scan_next(TransitionScan *s) {
    CHECK_FOR_INTERRUPTS();
    tuplestore_select_read_pointer(s->ts, s->ptr);
    const bool got = tuplestore_gettupleslot(s->ts, true, false, s->slot);
    tuplestore_select_read_pointer(s->ts, 0);
    return got;
}
void scan_end(TransitionScan *s) { ExecDropSingleTupleTableSlot(s->slot); }

// A column of rel the rollup reads (its transition tables have rel's descriptor).
AttrNumber att(Relation rel, const char *name) {
    const AttrNumber a = get_attnum(RelationGetRelid(rel), name);
    if (a == InvalidAttrNumber) elog(ERROR, "sales_daily trigger: column %s.%s not found", RelationGetRelationName(rel), name);
    return a;
}

// The columns of an order that the rollup reads.
struct OrderCols {
    AttrNumber id, store, created, status, total, tax, shipping, discount;
};
OrderCols order_cols(Relation r) {
    return OrderCols{att(r, "id"),    att(r, "store_id"), att(r, "date_created"),   att(r, "status"),
                     att(r, "total"), att(r, "tax_total"), att(r, "shipping_total"), att(r, "discount_total")};
}

// An order's state, as the rollup sees it (pointers into a slot or a copy).
struct OrderState {
    pg_uuid_t id, store;
    Datum created, status, total, tax, shipping, discount;
    bool tax_null, shipping_null, discount_null;
};
void read_order(TupleTableSlot *slot, const OrderCols &c, OrderState *o) {
    bool isnull;
    std::memcpy(&o->id, DatumGetUUIDP(slot_getattr(slot, c.id, &isnull)), sizeof(pg_uuid_t));
    std::memcpy(&o->store, DatumGetUUIDP(slot_getattr(slot, c.store, &isnull)), sizeof(pg_uuid_t));
    o->created = slot_getattr(slot, c.created, &isnull);
    o->status = PointerGetDatum(PG_DETOAST_DATUM_COPY(slot_getattr(slot, c.status, &isnull)));
    o->total = PointerGetDatum(PG_DETOAST_DATUM_COPY(slot_getattr(slot, c.total, &isnull)));
    Datum v = slot_getattr(slot, c.tax, &o->tax_null);
    o->tax = o->tax_null ? (Datum)0 : PointerGetDatum(PG_DETOAST_DATUM_COPY(v));
    v = slot_getattr(slot, c.shipping, &o->shipping_null);
    o->shipping = o->shipping_null ? (Datum)0 : PointerGetDatum(PG_DETOAST_DATUM_COPY(v));
    v = slot_getattr(slot, c.discount, &o->discount_null);
    o->discount = o->discount_null ? (Datum)0 : PointerGetDatum(PG_DETOAST_DATUM_COPY(v));
}

bool numeric_same(Datum a, bool a_null, Datum b, bool b_null) {
    if (a_null || b_null) return a_null == b_null;
    return DatumGetBool(DirectFunctionCall2(numeric_eq, a, b));
}
// (store_id, date_created, status, total, tax_total, shipping_total, discount_total) IS NOT DISTINCT
bool order_same(const OrderState &a, const OrderState &b) {
    return std::memcmp(&a.store, &b.store, sizeof(pg_uuid_t)) == 0 &&
           DatumGetTimestampTz(a.created) == DatumGetTimestampTz(b.created) && same_text(DatumGetTextPP(a.status), DatumGetTextPP(b.status)) &&
           numeric_same(a.total, false, b.total, false) && numeric_same(a.tax, a.tax_null, b.tax, b.tax_null) &&
           numeric_same(a.shipping, a.shipping_null, b.shipping, b.shipping_null) &&
           numeric_same(a.discount, a.discount_null, b.discount, b.discount_null);
}

// An order's own amounts, sign * (1 order, gross, discount, tax, shipping), at day.
void add_order_amounts(Deltas *d, const OrderState &o, DateADT day, int sign) {
    DayEntry *e = day_entry(d, &o.store, day);
    e->orders += sign;
    add(d, e, kGross, o.total, sign);
    if (!o.tax_null) add(d, e, kGross, o.tax, -sign), add(d, e, kTaxes, o.tax, sign);
    if (!o.shipping_null) add(d, e, kGross, o.shipping, -sign), add(d, e, kShipping, o.shipping, sign);
    if (!o.discount_null) add(d, e, kGross, o.discount, sign), add(d, e, kDiscounts, o.discount, sign);
}

// ---- the order's line items and refunds, as stored ------------------------------------------

// Probes of one firing: each index opened once, when first needed.
struct Probes {
    bool items_open, refunds_open, orders_open;
    IndexProbe items, refunds, orders;
    AttrNumber item_order, item_qty, refund_order, refund_created, refund_amount, order_id, order_store, order_created,
        order_status;
};

void probes_end(Probes *p) {
    if (p->items_open) probe_end(&p->items);
    if (p->refunds_open) probe_end(&p->refunds);
    if (p->orders_open) probe_end(&p->orders);
}

void open_probe(IndexProbe *probe, bool *open, const char *table, const char *index) {
    if (*open) return;
    if (!probe_begin(table, index, 1, probe))
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("sales_daily: index public.%s is missing", index),
                        errhint("The rollup probes it on every write of %s; the sqitch migrations create it.", table)));
    *open = true;
}

// What the order's stored line items and refunds add, sign * each, on the order's
// day (items) and each refund's own day, in the order's store (rules r).
void add_items_and_refunds(Deltas *d, Probes *p, const pg_uuid_t *order, const pg_uuid_t *store, const Rules *r,
                           DateADT day, int sign) {
    open_probe(&p->items, &p->items_open, "order_items", "order_items_order_id_hash");
    if (p->item_order == InvalidAttrNumber) {
        p->item_order = att(p->items.heap, "order_id");
        p->item_qty = att(p->items.heap, "quantity");
    }
    DayEntry *e = nullptr;
    probe_uuid(&p->items, UUIDPGetDatum(order));
    while (probe_uuid_next(&p->items, p->item_order, UUIDPGetDatum(order))) {
        bool isnull;
        const Datum q = slot_getattr(p->items.slot, p->item_qty, &isnull);
        if (isnull) continue;
        if (e == nullptr) e = day_entry(d, store, day);
        add(d, e, kItems, q, sign);
    }
    open_probe(&p->refunds, &p->refunds_open, "refunds", "refunds_order_id_hash");
    if (p->refund_order == InvalidAttrNumber) {
        p->refund_order = att(p->refunds.heap, "order_id");
        p->refund_created = att(p->refunds.heap, "date_created");
        p->refund_amount = att(p->refunds.heap, "amount");
    }
    probe_uuid(&p->refunds, UUIDPGetDatum(order));
    while (probe_uuid_next(&p->refunds, p->refund_order, UUIDPGetDatum(order))) {
        bool null_created, null_amount;
        const Datum created = slot_getattr(p->refunds.slot, p->refund_created, &null_created);
        const Datum amount = slot_getattr(p->refunds.slot, p->refund_amount, &null_amount);
        if (null_created || null_amount) continue;
        add(d, day_entry(d, store, local_day(r, created)), kRefunds, amount, sign);
    }
}

// The stored order `id`: its store, date and status (false: no such order).
struct OrderRef {
    pg_uuid_t store;
    TimestampTz created;
    Datum status;  // text, in the firing's memory
};
bool find_order(Probes *p, const pg_uuid_t *id, OrderRef *out) {
    open_probe(&p->orders, &p->orders_open, "orders", "orders_pkey");
    if (p->order_id == InvalidAttrNumber) {
        p->order_id = att(p->orders.heap, "id");
        p->order_store = att(p->orders.heap, "store_id");
        p->order_created = att(p->orders.heap, "date_created");
        p->order_status = att(p->orders.heap, "status");
    }
    probe_uuid(&p->orders, UUIDPGetDatum(id));
    if (!probe_uuid_next(&p->orders, p->order_id, UUIDPGetDatum(id))) return false;  // (unique: one row at most)
    TupleTableSlot *slot = p->orders.slot;
    bool isnull;
    std::memcpy(&out->store, DatumGetUUIDP(slot_getattr(slot, p->order_store, &isnull)), sizeof(pg_uuid_t));
    out->created = DatumGetTimestampTz(slot_getattr(slot, p->order_created, &isnull));
    out->status = PointerGetDatum(PG_DETOAST_DATUM_COPY(slot_getattr(slot, p->order_status, &isnull)));
    return true;
}

// ---- the three tables ------------------------------------------------------------------------

void orders_rows(Deltas *d, TriggerData *td) {
    Relation rel = td->tg_relation;
    TupleDesc desc = RelationGetDescr(rel);
    const OrderCols cols = order_cols(rel);
    Probes probes;
    std::memset(&probes, 0, sizeof(probes));

    if (TRIGGER_FIRED_BY_DELETE(td->tg_event)) {  // per row, before
        TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsHeapTuple);
        ExecStoreHeapTuple(td->tg_trigtuple, slot, false);
        OrderState o;
        read_order(slot, cols, &o);
        ensure_rules(d, &o.store, 1);
        const Rules *r = rules_of(d, &o.store);
        if (r != nullptr && counts(r, o.status)) {
            const DateADT day = local_day(r, o.created);
            add_order_amounts(d, o, day, -1);
            add_items_and_refunds(d, &probes, &o.id, &o.store, r, day, -1);
        }
        ExecDropSingleTupleTableSlot(slot);
        probes_end(&probes);
        return;
    }

    const bool update = TRIGGER_FIRED_BY_UPDATE(td->tg_event);
    const int64 n_new = tuplestore_tuple_count(td->tg_newtable);
    if (n_new == 0) return;  // an upsert fires its INSERT and UPDATE triggers, one of them often empty
    auto *news = static_cast<OrderState *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(OrderState) * n_new));
    auto *olds = update ? static_cast<OrderState *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(OrderState) * n_new))
                        : nullptr;
    int n = 0;
    TransitionScan s;
    scan_begin(&s, td->tg_newtable, desc);
    while (n < n_new && scan_next(&s)) read_order(s.slot, cols, &news[n++]);
    scan_end(&s);
    int n_old = 0;
    if (update) {
        scan_begin(&s, td->tg_oldtable, desc);
        while (n_old < n_new && scan_next(&s)) read_order(s.slot, cols, &olds[n_old++]);
        scan_end(&s);
    }
    auto *stores = static_cast<pg_uuid_t *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(pg_uuid_t) * (n + n_old)));
    for (int i = 0; i < n; ++i) stores[i] = news[i].store;
    for (int i = 0; i < n_old; ++i) stores[n + i] = olds[i].store;
    ensure_rules(d, stores, n + n_old);

    if (!update) {
        for (int i = 0; i < n; ++i) {
            const Rules *r = rules_of(d, &news[i].store);
            if (r != nullptr && counts(r, news[i].status)) add_order_amounts(d, news[i], local_day(r, news[i].created), 1);
        }
        return;
    }
    // Old and new versions are captured row by row in the same order; matched by id
    // all the same (the old version of new row i is looked for from position i on).
    for (int i = 0; i < n; ++i) {
        const OrderState &nw = news[i];
        const OrderState *ol = nullptr;
        for (int k = 0; k < n_old && ol == nullptr; ++k) {
            const OrderState &c = olds[(i + k) % n_old];
            if (std::memcmp(&c.id, &nw.id, sizeof(pg_uuid_t)) == 0) ol = &c;
        }
        if (ol == nullptr || order_same(*ol, nw)) continue;
        const Rules *ro = rules_of(d, &ol->store), *rn = rules_of(d, &nw.store);
        const bool oc = ro != nullptr && counts(ro, ol->status), nc = rn != nullptr && counts(rn, nw.status);
        const DateADT od = ro != nullptr ? local_day(ro, ol->created) : 0, nd = rn != nullptr ? local_day(rn, nw.created) : 0;
        const bool moves = oc != nc || od != nd || std::memcmp(&ol->store, &nw.store, sizeof(pg_uuid_t)) != 0;
        if (oc) {
            add_order_amounts(d, *ol, od, -1);
            if (moves) add_items_and_refunds(d, &probes, &ol->id, &ol->store, ro, od, -1);
        }
        if (nc) {
            add_order_amounts(d, nw, nd, 1);
            if (moves) add_items_and_refunds(d, &probes, &nw.id, &nw.store, rn, nd, 1);
        }
    }
    probes_end(&probes);
}

// Signed quantities (items) or amounts (refunds) per row of a transition table.
struct Change {
    pg_uuid_t store, order;
    Datum created;  // refunds: the refund's date
    Datum amount;   // numeric
    int sign;
};

int collect(Tuplestorestate *ts, Relation rel, int sign, bool refunds, Change *out, int at) {
    if (ts == nullptr) return at;
    const AttrNumber a_store = att(rel, "store_id"), a_order = att(rel, "order_id");
    const AttrNumber a_amount = att(rel, refunds ? "amount" : "quantity");
    const AttrNumber a_created = refunds ? att(rel, "date_created") : InvalidAttrNumber;
    TransitionScan s;
    scan_begin(&s, ts, RelationGetDescr(rel));
    while (scan_next(&s)) {
        bool null_store, null_order, null_amount, null_created = false;
        const Datum store = slot_getattr(s.slot, a_store, &null_store);
        const Datum order = slot_getattr(s.slot, a_order, &null_order);
        const Datum amount = slot_getattr(s.slot, a_amount, &null_amount);
        const Datum created = refunds ? slot_getattr(s.slot, a_created, &null_created) : (Datum)0;
        if (null_store || null_order || null_amount || null_created) continue;
        Change *c = &out[at++];
        std::memcpy(&c->store, DatumGetUUIDP(store), sizeof(pg_uuid_t));
        std::memcpy(&c->order, DatumGetUUIDP(order), sizeof(pg_uuid_t));
        c->created = created;
        c->amount = PointerGetDatum(PG_DETOAST_DATUM_COPY(amount));
        c->sign = sign;
    }
    scan_end(&s);
    return at;
}

int change_order(const void *a, const void *b) {
    const auto *x = static_cast<const Change *>(a), *y = static_cast<const Change *>(b);
    const int c = std::memcmp(&x->order, &y->order, sizeof(pg_uuid_t));
    return c != 0 ? c : std::memcmp(&x->store, &y->store, sizeof(pg_uuid_t));
}

void child_rows(Deltas *d, TriggerData *td, bool refunds) {
    const bool ins = TRIGGER_FIRED_BY_INSERT(td->tg_event), del = TRIGGER_FIRED_BY_DELETE(td->tg_event);
    const int64 total = (ins ? 0 : tuplestore_tuple_count(td->tg_oldtable)) + (del ? 0 : tuplestore_tuple_count(td->tg_newtable));
    if (total == 0) return;
    auto *ch = static_cast<Change *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(Change) * total));
    int n = 0;
    if (!ins) n = collect(td->tg_oldtable, td->tg_relation, -1, refunds, ch, n);
    if (!del) n = collect(td->tg_newtable, td->tg_relation, 1, refunds, ch, n);
    if (n == 0) return;
    qsort(ch, n, sizeof(Change), change_order);  // each order probed once
    auto *stores = static_cast<pg_uuid_t *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(pg_uuid_t) * n));
    for (int i = 0; i < n; ++i) stores[i] = ch[i].store;
    ensure_rules(d, stores, n);
    Probes probes;
    std::memset(&probes, 0, sizeof(probes));
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && change_order(&ch[i], &ch[j]) == 0) ++j;
        OrderRef o;
        const Rules *r = rules_of(d, &ch[i].store);
        if (r != nullptr && find_order(&probes, &ch[i].order, &o) &&
            std::memcmp(&o.store, &ch[i].store, sizeof(pg_uuid_t)) == 0 && counts(r, o.status)) {
            DayEntry *e = refunds ? nullptr : day_entry(d, &ch[i].store, local_day(r, TimestampTzGetDatum(o.created)));
            for (int k = i; k < j; ++k) {
                if (refunds) add(d, day_entry(d, &ch[k].store, local_day(r, ch[k].created)), kRefunds, ch[k].amount, ch[k].sign);
                else add(d, e, kItems, ch[k].amount, ch[k].sign);
            }
        }
        i = j;
    }
    probes_end(&probes);
}

// ---- the batch ---------------------------------------------------------------------------------

void discard_batch() {
    if (batch == nullptr) return;
    Deltas *b = batch;
    batch = nullptr;
    MemoryContextDelete(b->cxt);
}

void on_xact(XactEvent event, void *) {
    switch (event) {
        case XACT_EVENT_PRE_COMMIT:
        case XACT_EVENT_PARALLEL_PRE_COMMIT:
        case XACT_EVENT_PRE_PREPARE:
            if (batch != nullptr) {
                discard_batch();
                ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                                errmsg("woo: the sales_daily batch of a woo.upsert_orders write was left open at commit")));
            }
            break;
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_ABORT:
            batch = nullptr;  // its memory (in TopTransactionContext) goes with the transaction
            break;
        default:
            break;
    }
}

void on_subxact(SubXactEvent event, SubTransactionId, SubTransactionId, void *) {
    if (event == SUBXACT_EVENT_ABORT_SUB && batch != nullptr && batch->nest_level >= GetCurrentTransactionNestLevel())
        discard_batch();
}

Statement flush = {"SELECT woo._sales_daily_flush()", 0, {}, nullptr};

}  // namespace

namespace woo::pg::rollup {

bool batch_begin() {
    static const Oid no_args[1] = {InvalidOid};
    if (batch != nullptr || !woo_function_exists("_sales_daily_flush", 0, no_args)) return false;
    batch = deltas_create(TopTransactionContext);
    return true;
}

void batch_end(bool opened) {
    if (!opened || batch == nullptr) return;
    run(&flush, nullptr, nullptr);
    SPI_freetuptable(SPI_tuptable);
}

void register_callbacks() {
    RegisterXactCallback(on_xact, nullptr);
    RegisterSubXactCallback(on_subxact, nullptr);
}

}  // namespace woo::pg::rollup

// woo._sales_daily_trigger(table text): see the top of this file.
WOO_FUNCTION(woo_sales_daily_trigger) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED), errmsg("woo._sales_daily_trigger: not called as a trigger")));
    auto *td = reinterpret_cast<TriggerData *>(fcinfo->context);
    if (td->tg_trigger->tgnargs != 1)
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED), errmsg("woo._sales_daily_trigger: one argument (the table) expected")));
    const char *table = td->tg_trigger->tgargs[0];
    const bool row = TRIGGER_FIRED_FOR_ROW(td->tg_event);
    const bool is_orders = std::strcmp(table, "orders") == 0;
    const bool ins = TRIGGER_FIRED_BY_INSERT(td->tg_event), del = TRIGGER_FIRED_BY_DELETE(td->tg_event);
    // orders: BEFORE DELETE per row, or AFTER INSERT / UPDATE per statement with a
    // NEW TABLE (and an OLD TABLE for UPDATE); order_items and refunds: AFTER per
    // statement with the transition tables of their event.
    // Attached to the table it names, in schema public (it writes as its owner: on any
    // other table it would add that table's rows to a store's rollup).
    const Oid public_ns = get_namespace_oid("public", false);
    const bool own_table = RelationGetRelid(td->tg_relation) == get_relname_relid(table, public_ns) &&
                           (is_orders || std::strcmp(table, "order_items") == 0 || std::strcmp(table, "refunds") == 0);
    const bool supported =
        own_table && (row ? is_orders && del && TRIGGER_FIRED_BEFORE(td->tg_event)
                          : TRIGGER_FIRED_AFTER(td->tg_event) && !(is_orders && del) &&
                                (del || td->tg_newtable != nullptr) && (ins || td->tg_oldtable != nullptr));
    if (!supported)
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("woo._sales_daily_trigger(%s): fired in a way it does not support on %s", table,
                               RelationGetRelationName(td->tg_relation))));
    // In the batch of the current write when there is one at this level; else its own.
    Deltas *d = batch != nullptr && batch->nest_level == GetCurrentTransactionNestLevel() ? batch
                                                                                          : deltas_create(CurrentMemoryContext);
    if (is_orders) orders_rows(d, td);
    else child_rows(d, td, std::strcmp(table, "refunds") == 0);  // (own_table: order_items or refunds)
    if (d != batch) {
        write_deltas(d);
        MemoryContextDelete(d->cxt);
    }
    return row ? PointerGetDatum(td->tg_trigtuple) : PointerGetDatum(nullptr);
}

// woo._sales_daily_flush(): writes and closes the batch of the current write (a
// no-op when none is open). Called by woo.upsert_orders at the end of each write,
// and by woo._rebuild_sales_daily before it rebuilds (the batch's day rules may be
// the ones it replaces). A batch of another (sub)transaction level is refused:
// written here, a rollback of this level would take away rows whose deltas the
// batch no longer holds.
WOO_FUNCTION(woo_sales_daily_flush) {
    if (batch == nullptr) PG_RETURN_VOID();
    if (batch->nest_level != GetCurrentTransactionNestLevel())
        ereport(ERROR, (errcode(ERRCODE_INVALID_TRANSACTION_STATE),
                        errmsg("woo._sales_daily_flush: the open sales_daily batch belongs to another subtransaction level"),
                        errhint("Store settings cannot change inside a subtransaction of a woo.upsert_orders call.")));
    // Closed before it is written: a trigger on sales_daily that writes orders, or calls
    // the flush, meets no batch (its deltas are written at once; its flush does nothing).
    Deltas *b = batch;
    batch = nullptr;
    write_deltas(b);
    MemoryContextDelete(b->cxt);
    PG_RETURN_VOID();
}
