// woo.upsert_orders(store_id uuid, payload jsonb, strict boolean) RETURNS woo.upsert_result
//
// Per chunk of records (ascending WooCommerce id):
//   1. parse and validate every record (lenient mode rejects the bad ones);
//   2. read the stored date_modified and payload hash of those orders:
//      older than stored -> skipped_stale, same hash -> unchanged;
//   3. make sure every referenced customer (registered, or guest by e-mail
//      hash) and product exists, as placeholders when not yet synced;
//   4. upsert the orders (the stale rule is repeated in the ON CONFLICT clause,
//      for a concurrent writer between 2 and 4);
//   5. replace the line items of every written order;
//   6. replace the refund rows (public.refunds) of the written orders that have or
//      had refunds, from their refunds[] (woo._sync_order_refunds, 1.6).
#include "pg/boundary.hpp"
#include "pg/ingest_common.hpp"
#include "pg/ingest_catalog.hpp"
#include "pg/ingest_orders.hpp"
#include "pg/rollup.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
}

#include <cstring>

using namespace woo::pg::ingest;

namespace {

struct Item {
    int64_t wc_product;  // variation_id when non-zero, else product_id; 0: none
    text *name, *sku;
    Datum quantity;  // numeric: WooCommerce allows fractional quantities
    Datum subtotal, total;
    bool subtotal_null, total_null;
};

struct Order {
    const Record *rec;
    Datum date_created, date_modified;
    bool date_modified_null;
    text *status, *currency, *payment_method, *coupon_used;
    Datum total, subtotal, tax_total, shipping_total, discount_total, refunded_total;
    bool subtotal_null, tax_null, shipping_null, discount_null;
    // customer: registered (wc_customer > 0) or guest (email hash), or none
    int64_t wc_customer;
    text *email_hash, *customer_name;
    bytea *hash;
    Jsonb *refunds;  // the payload's refunds[] when not empty (step 6)
    int n_items;
    Item *items;
    // resolved while writing
    Datum customer_id;
    bool customer_null;
    Datum prev_customer;  // the stored order's customer, when it had one
    bool prev_customer_null;
    enum { Pending, Write, Stale, Same } fate;
};

Datum numeric_const(const char *s) {
    return DirectFunctionCall3(numeric_in, CStringGetDatum(s), ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}
Datum numeric_zero() { return numeric_const("0"); }
Datum numeric_one() { return numeric_const("1"); }

text *join_name(text *first, text *last) {
    const char *f = first ? text_to_cstring(first) : "";
    const char *l = last ? text_to_cstring(last) : "";
    const char *joined = psprintf("%s%s%s", f, (*f && *l) ? " " : "", l);
    return *joined ? cstring_to_text(joined) : nullptr;
}

void parse_order(const Call *call, const Record *r, void *out) {
    auto *o = static_cast<Order *>(out);
    JsonbContainer *obj = r->obj;
    o->rec = r;
    o->fate = Order::Pending;

    if (!read_datetime(call, r, obj, "date_created", "date_created_gmt", &o->date_created)) missing(r, "", "date_created_gmt");
    o->date_modified_null = !read_datetime(call, r, obj, "date_modified", "date_modified_gmt", &o->date_modified);
    if (!(o->status = read_text(r, "", obj, "status", 50, false))) missing(r, "", "status");
    if (!read_money(r, "", obj, "total", &o->total)) missing(r, "", "total");
    o->tax_null = !read_money(r, "", obj, "total_tax", &o->tax_total);
    o->shipping_null = !read_money(r, "", obj, "shipping_total", &o->shipping_total);
    o->discount_null = !read_money(r, "", obj, "discount_total", &o->discount_total);
    o->currency = read_text(r, "", obj, "currency", 3, false);
    o->payment_method = read_text(r, "", obj, "payment_method", 100, false);

    // Customer: a registered id, else a guest by billing e-mail, else none.
    int64_t wc_customer = 0;
    read_int(r, "", obj, "customer_id", 0, PG_INT32_MAX, &wc_customer);
    o->wc_customer = wc_customer;
    JsonbContainer *billing = nested_object(r, obj, "billing");
    o->email_hash = billing ? email_hash_of(r, "billing.", billing, "email") : nullptr;
    o->customer_name = billing ? join_name(read_text(r, "billing.", billing, "first_name", 0, false),
                                           read_text(r, "billing.", billing, "last_name", 0, false))
                               : nullptr;
    if (o->customer_name && pg_mbstrlen_with_len(VARDATA_ANY(o->customer_name), VARSIZE_ANY_EXHDR(o->customer_name)) > 255)
        o->customer_name = nullptr;  // a placeholder's display name is only a hint
    o->customer_null = true;

    // Line items; the order's subtotal is the sum of their subtotals.
    int n = 0;
    JsonbContainer *items = nested_array(r, obj, "line_items", &n);
    o->n_items = n;
    o->items = static_cast<Item *>(palloc0(sizeof(Item) * (n > 0 ? n : 1)));
    Datum subtotal = numeric_zero();
    bool any_subtotal = false;
    for (int i = 0; i < n; ++i) {
        JsonbValue *v = getIthJsonbValueFromContainer(items, i);
        const char *path = psprintf("line_items[%d].", i);
        if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("%s[%d] (id " INT64_FORMAT "): line_items[%d] is not a JSON object", call->resource,
                                   r->index, r->wc_id, i)));
        JsonbContainer *it = v->val.binary.data;
        Item *item = &o->items[i];
        int64_t product = 0, variation = 0;
        read_int(r, path, it, "product_id", 0, PG_INT32_MAX, &product);
        read_int(r, path, it, "variation_id", 0, PG_INT32_MAX, &variation);
        item->wc_product = variation > 0 ? variation : product;
        item->name = read_text(r, path, it, "name", 500, true);
        item->sku = read_text(r, path, it, "sku", 100, false);
        if (item->sku && VARSIZE_ANY_EXHDR(item->sku) == 0) item->sku = nullptr;
        if (!read_decimal(r, path, it, "quantity", -1, &item->quantity)) item->quantity = numeric_one();
        item->subtotal_null = !read_money(r, path, it, "subtotal", &item->subtotal);
        item->total_null = !read_money(r, path, it, "total", &item->total);
        if (!item->subtotal_null) {
            subtotal = DirectFunctionCall2(numeric_add, subtotal, item->subtotal);
            any_subtotal = true;
        }
    }
    o->subtotal_null = !any_subtotal;
    o->subtotal = o->subtotal_null ? (Datum)0 : derived_money(r, "subtotal (the sum of line_items[].subtotal)", subtotal);

    // Refunds arrive as negative totals; keep the refunded amount, positive.
    JsonbContainer *refunds = nested_array(r, obj, "refunds", &n);
    Datum refunded = numeric_zero();
    for (int i = 0; i < n; ++i) {
        JsonbValue *v = getIthJsonbValueFromContainer(refunds, i);
        if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data)) continue;
        Datum amount;
        if (read_money(r, psprintf("refunds[%d].", i), v->val.binary.data, "total", &amount))
            refunded = DirectFunctionCall2(numeric_sub, refunded, amount);
    }
    o->refunded_total = derived_money(r, "refunded_total (the sum of refunds[].total)", DirectFunctionCall1(numeric_abs, refunded));
    JsonbValue refunds_value;
    o->refunds = n > 0 && getKeyJsonValueFromContainer(obj, "refunds", 7, &refunds_value) != nullptr
                     ? JsonbValueToJsonb(&refunds_value)
                     : nullptr;

    // Coupon codes, comma-separated.
    JsonbContainer *coupons = nested_array(r, obj, "coupon_lines", &n);
    StringInfoData codes;
    initStringInfo(&codes);
    for (int i = 0; i < n; ++i) {
        JsonbValue *v = getIthJsonbValueFromContainer(coupons, i);
        if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data)) continue;
        text *code = read_text(r, psprintf("coupon_lines[%d].", i), v->val.binary.data, "code", 0, false);
        if (code == nullptr) continue;
        if (codes.len > 0) appendStringInfoChar(&codes, ',');
        appendBinaryStringInfo(&codes, VARDATA_ANY(code), VARSIZE_ANY_EXHDR(code));
    }
    o->coupon_used = codes.len > 0 ? cstring_to_text_with_len(codes.data, codes.len) : nullptr;
    if (o->coupon_used && pg_mbstrlen_with_len(codes.data, codes.len) > 100)
        ereport(ERROR, (errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
                        errmsg("%s[%d] (id " INT64_FORMAT "): coupon_lines codes are longer than 100 characters together",
                               call->resource, r->index, r->wc_id)));
    // What would be stored: the order's columns, its customer reference and items.
    ContentHash h;
    content_init(&h);
    content_add(&h, o->date_created, false, true);
    content_add(&h, o->date_modified, o->date_modified_null, true);
    content_add(&h, PointerGetDatum(o->status), false, false);
    content_add(&h, o->total, false, false);
    content_add(&h, o->subtotal, o->subtotal_null, false);
    content_add(&h, o->tax_total, o->tax_null, false);
    content_add(&h, o->shipping_total, o->shipping_null, false);
    content_add(&h, o->discount_total, o->discount_null, false);
    content_add(&h, PointerGetDatum(o->currency), o->currency == nullptr, false);
    content_add(&h, PointerGetDatum(o->payment_method), o->payment_method == nullptr, false);
    content_add(&h, PointerGetDatum(o->coupon_used), o->coupon_used == nullptr, false);
    content_add(&h, o->refunded_total, false, false);
    content_add_int(&h, o->wc_customer);
    content_add(&h, PointerGetDatum(o->email_hash), o->email_hash == nullptr, false);
    content_add(&h, PointerGetDatum(o->customer_name), o->customer_name == nullptr, false);
    content_add_int(&h, o->n_items);
    for (int i = 0; i < o->n_items; ++i) {
        const Item *it = &o->items[i];
        content_add_int(&h, it->wc_product);
        content_add(&h, PointerGetDatum(it->name), it->name == nullptr, false);
        content_add(&h, PointerGetDatum(it->sku), it->sku == nullptr, false);
        content_add(&h, it->quantity, false, false);
        content_add(&h, it->subtotal, it->subtotal_null, false);
        content_add(&h, it->total, it->total_null, false);
    }
    o->hash = content_finish(&h, r);
}

// ---- statements ------------------------------------------------------------------

// Rows are looked up one key at a time (a LATERAL subquery the planner cannot
// flatten, OFFSET 0): each probe is an all-columns equality on a unique index,
// which no plan beats at any size. `store_id = $1 AND key = ANY($2)` would be
// planned from statistics a fresh database lacks: it then reads the whole store
// through a store_id index (the planner takes a store for 0.5 % of the table).
// Read under the row lock, keys in order (so concurrent calls do not deadlock):
// a concurrent writer of the same order has committed by then, and its version
// (its customer, which this write moves the order away from) is the one read.
Statement existing_orders = {
    "SELECT o.wc_order_id, o.date_modified, o.payload_hash, o.customer_id "
    "  FROM (SELECT DISTINCT u.wc FROM unnest($2::int4[]) AS u(wc) ORDER BY u.wc) AS k "
    "CROSS JOIN LATERAL (SELECT wc_order_id, date_modified, payload_hash, customer_id FROM public.orders "
    "                     WHERE store_id = $1 AND wc_order_id = k.wc OFFSET 0 FOR NO KEY UPDATE) o",
    2, {UUIDOID, INT4ARRAYOID}, nullptr};

// The driver's probe before parsing (no lock): which orders exist, with their
// modification date and payload hash. An unchanged re-delivery ends here: no
// row is locked, no transaction id is taken, nothing is written.
Statement stored_orders = {
    "SELECT o.wc_order_id, o.date_modified, o.payload_hash "
    "  FROM (SELECT DISTINCT u.wc FROM unnest($2::int4[]) AS u(wc) ORDER BY u.wc) AS k "
    "CROSS JOIN LATERAL (SELECT wc_order_id, date_modified, payload_hash FROM public.orders "
    "                     WHERE store_id = $1 AND wc_order_id = k.wc OFFSET 0) o",
    2, {UUIDOID, INT4ARRAYOID}, nullptr};

// Referenced customers and products are created as placeholders when new, and
// their ids are then read by a statement of their own: when a concurrent
// transaction inserts the same key, ON CONFLICT DO NOTHING waits for it and
// skips the key, and a SELECT in the same statement would not see that row
// (its snapshot predates the commit), leaving the reference NULL. The next
// statement has a new snapshot (READ COMMITTED); under REPEATABLE READ the
// INSERT fails with 40001 instead, and the caller retries.

// The ids read are locked FOR KEY SHARE (what the foreign-key checks take
// anyway, a little later): a concurrent delete of one of them waits for this
// transaction instead of deleting it between the read and the insert (23503).
// Registered customers referenced by orders.
Statement ensure_customers = {
    "WITH wanted AS (SELECT DISTINCT ON (wc) wc, h, n FROM unnest($2::int4[], $3::text[], $4::text[]) AS u(wc, h, n) ORDER BY wc) "
    "INSERT INTO public.customers (store_id, wc_customer_id, email_hash, display_name) "
    "SELECT $1, wc, h, n FROM wanted ORDER BY wc "
    "ON CONFLICT (store_id, wc_customer_id) DO NOTHING",
    4, {UUIDOID, INT4ARRAYOID, TEXTARRAYOID, TEXTARRAYOID}, nullptr};
Statement customer_ids = {
    "SELECT c.wc_customer_id, c.id FROM (SELECT DISTINCT u.wc FROM unnest($2::int4[]) AS u(wc) ORDER BY u.wc) AS k "
    "CROSS JOIN LATERAL (SELECT wc_customer_id, id FROM public.customers WHERE store_id = $1 AND wc_customer_id = k.wc "
    "                    OFFSET 0 FOR KEY SHARE) c",
    2, {UUIDOID, INT4ARRAYOID}, nullptr};

// Guests: one customer per billing e-mail hash. The lookup probes the e-mail hash
// alone and keeps the guests after (OFFSET 0): with `wc_customer_id IS NULL` in
// the probe, a never-analysed table plans a scan of every guest through the
// unique (store_id, wc_customer_id) index.
Statement ensure_guests = {
    "WITH wanted AS (SELECT DISTINCT ON (h) h, n FROM unnest($2::text[], $3::text[]) AS u(h, n) ORDER BY h) "
    "INSERT INTO public.customers (store_id, wc_customer_id, email_hash, display_name) "
    "SELECT $1, NULL, h, n FROM wanted ORDER BY h "
    "ON CONFLICT (store_id, email_hash) WHERE wc_customer_id IS NULL DO NOTHING",
    3, {UUIDOID, TEXTARRAYOID, TEXTARRAYOID}, nullptr};
Statement guest_ids = {
    "SELECT c.email_hash, c.id FROM (SELECT DISTINCT u.h FROM unnest($2::text[]) AS u(h) ORDER BY u.h) AS k "
    "CROSS JOIN LATERAL (SELECT email_hash, id, wc_customer_id FROM public.customers "
    "                     WHERE store_id = $1 AND email_hash = k.h OFFSET 0 FOR KEY SHARE) c WHERE c.wc_customer_id IS NULL",
    2, {UUIDOID, TEXTARRAYOID}, nullptr};

// Products referenced by line items: placeholders (name, sku) when new.
Statement ensure_products = {
    "WITH wanted AS (SELECT DISTINCT ON (wc) wc, n, s FROM unnest($2::int4[], $3::text[], $4::text[]) AS u(wc, n, s) ORDER BY wc) "
    "INSERT INTO public.products (store_id, wc_product_id, name, sku) "
    "SELECT $1, wc, coalesce(n, ''), s FROM wanted ORDER BY wc "
    "ON CONFLICT (store_id, wc_product_id) DO NOTHING",
    4, {UUIDOID, INT4ARRAYOID, TEXTARRAYOID, TEXTARRAYOID}, nullptr};
Statement product_ids = {
    "SELECT p.wc_product_id, p.id FROM (SELECT DISTINCT u.wc FROM unnest($2::int4[]) AS u(wc) ORDER BY u.wc) AS k "
    "CROSS JOIN LATERAL (SELECT wc_product_id, id FROM public.products WHERE store_id = $1 AND wc_product_id = k.wc "
    "                    OFFSET 0 FOR KEY SHARE) p",
    2, {UUIDOID, INT4ARRAYOID}, nullptr};

Statement upsert_orders = {
    "INSERT INTO public.orders AS o (store_id, wc_order_id, date_created, date_modified, status, total, subtotal, "
    "  tax_total, shipping_total, discount_total, currency, customer_id, payment_method, coupon_used, refunded_total, payload_hash, id) "
    "SELECT $1, u.wc, u.dc, u.dm, u.st, u.tot, u.sub, u.tax, u.ship, u.disc, coalesce(u.cur, 'USD'), u.cust, u.pm, u.cp, u.ref, u.h, u.id "
    "  FROM unnest($2::int4[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::numeric[], $7::numeric[], $8::numeric[], "
    "              $9::numeric[], $10::numeric[], $11::text[], $12::uuid[], $13::text[], $14::text[], $15::numeric[], $16::bytea[], "
    "              $17::uuid[]) "
    "       AS u(wc, dc, dm, st, tot, sub, tax, ship, disc, cur, cust, pm, cp, ref, h, id) "
    "ON CONFLICT (store_id, wc_order_id) DO UPDATE SET "
    "  date_created = EXCLUDED.date_created, date_modified = EXCLUDED.date_modified, status = EXCLUDED.status, "
    "  total = EXCLUDED.total, subtotal = EXCLUDED.subtotal, tax_total = EXCLUDED.tax_total, "
    "  shipping_total = EXCLUDED.shipping_total, discount_total = EXCLUDED.discount_total, currency = EXCLUDED.currency, "
    "  customer_id = EXCLUDED.customer_id, payment_method = EXCLUDED.payment_method, coupon_used = EXCLUDED.coupon_used, "
    "  refunded_total = EXCLUDED.refunded_total, payload_hash = EXCLUDED.payload_hash "
    "WHERE o.date_modified IS NULL OR EXCLUDED.date_modified IS NULL OR EXCLUDED.date_modified >= o.date_modified "
    "RETURNING o.wc_order_id, o.id, (o.xmax = 0) AS inserted",
    17,
    {UUIDOID, INT4ARRAYOID, TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID, TEXTARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID,
     NUMERICARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID, TEXTARRAYOID, UUIDARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
     NUMERICARRAYOID, BYTEAARRAYOID, UUIDARRAYOID},
    nullptr};

// The old line items of updated orders, by the TIDs probe_order_items read
// (run_tid_probing); without the hash index, by order id (planned from statistics).
Statement delete_items_by_tid = {"DELETE FROM public.order_items WHERE ctid = ANY ($1::tid[])", 1, {TIDARRAYOID}, nullptr};
Statement delete_items = {"DELETE FROM public.order_items WHERE store_id = $1 AND order_id = ANY($2)", 2,
                          {UUIDOID, UUIDARRAYOID}, nullptr};

Statement insert_items = {
    "INSERT INTO public.order_items (order_id, store_id, product_id, product_name, sku, quantity, subtotal, total, id) "
    "SELECT u.o, $1, u.p, u.n, u.s, u.q, u.st, u.t, u.id "
    "  FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::numeric[], $7::numeric[], $8::numeric[], $9::uuid[]) "
    "       AS u(o, p, n, s, q, st, t, id)",
    9, {UUIDOID, UUIDARRAYOID, UUIDARRAYOID, TEXTARRAYOID, TEXTARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID,
        UUIDARRAYOID},
    nullptr};

// The refund rows of written orders, from their refunds[] (extension 1.6).
Statement sync_refunds = {"SELECT woo._sync_order_refunds($1, $2, $3)", 3, {UUIDOID, UUIDARRAYOID, JSONBARRAYOID}, nullptr};

// ---- helpers -----------------------------------------------------------------------

// Whether the database's extension has woo._sync_order_refunds (1.6 and later): the
// library also serves databases still at 1.5, which have no refund rows. A catalog
// cache probe per chunk that has refunds to write.
bool has_refund_rows() {
    static const Oid types[3] = {UUIDOID, UUIDARRAYOID, JSONBARRAYOID};
    return woo_function_exists("_sync_order_refunds", 3, types);
}

// Looks up key -> uuid pairs returned by an ensure_* statement (int4 or text keys).
struct IdMap {
    int n;
    int64_t *int_keys;
    char **text_keys;
    Datum *ids;
};

IdMap read_id_map(bool text_keys) {
    IdMap m{static_cast<int>(SPI_processed), nullptr, nullptr, nullptr};
    m.ids = static_cast<Datum *>(palloc(sizeof(Datum) * (m.n + 1)));
    if (text_keys)
        m.text_keys = static_cast<char **>(palloc(sizeof(char *) * (m.n + 1)));
    else
        m.int_keys = static_cast<int64_t *>(palloc(sizeof(int64_t) * (m.n + 1)));
    for (int i = 0; i < m.n; ++i) {
        bool isnull;
        HeapTuple t = SPI_tuptable->vals[i];
        Datum key = SPI_getbinval(t, SPI_tuptable->tupdesc, 1, &isnull);
        if (text_keys)
            m.text_keys[i] = TextDatumGetCString(key);
        else
            m.int_keys[i] = DatumGetInt32(key);
        m.ids[i] = copy_uuid(SPI_getbinval(t, SPI_tuptable->tupdesc, 2, &isnull));
    }
    SPI_freetuptable(SPI_tuptable);
    return m;
}

bool find_int(const IdMap &m, int64_t key, Datum *id) {
    for (int i = 0; i < m.n; ++i)  // maps hold one chunk's distinct keys: small
        if (m.int_keys[i] == key) return (*id = m.ids[i]), true;
    return false;
}

bool find_text(const IdMap &m, text *key, Datum *id) {
    const char *k = text_to_cstring(key);
    for (int i = 0; i < m.n; ++i)
        if (strcmp(m.text_keys[i], k) == 0) return (*id = m.ids[i]), true;
    return false;
}

void write_chunk(const Call *call, Order *orders, int n, Counts *counts, Column *affected) {
    Datum store = call->store_id;

    // 2. stale / unchanged against what is stored: read again under the row lock,
    // for the orders the driver's probe found (the others did not exist then).
    Column ids;
    column_init(&ids, INT4OID, n);
    for (int i = 0; i < n; ++i)
        if (orders[i].rec->stored) column_push(&ids, Int32GetDatum(orders[i].rec->wc_id), false);
    if (ids.n > 0) {
        Datum values[2] = {store, column_array(&ids)};
        run(&existing_orders, values, "  ");
        for (uint64 t = 0; t < SPI_processed; ++t) {
            bool null_id, null_dm, null_hash;
            HeapTuple tup = SPI_tuptable->vals[t];
            const int64_t wc = DatumGetInt32(SPI_getbinval(tup, SPI_tuptable->tupdesc, 1, &null_id));
            Datum stored_dm = SPI_getbinval(tup, SPI_tuptable->tupdesc, 2, &null_dm);
            Datum stored_hash = SPI_getbinval(tup, SPI_tuptable->tupdesc, 3, &null_hash);
            bool null_cust;
            Datum stored_cust = SPI_getbinval(tup, SPI_tuptable->tupdesc, 4, &null_cust);
            for (int i = 0; i < n; ++i) {
                Order *o = &orders[i];
                if (o->rec->wc_id != wc) continue;
                o->prev_customer_null = null_cust;
                if (!null_cust) o->prev_customer = copy_uuid(stored_cust);
                switch (classify(null_dm, stored_dm, null_hash, stored_hash, o->date_modified_null, o->date_modified,
                                 o->hash)) {
                    case Fate::Stale: o->fate = Order::Stale; break;
                    case Fate::Same: o->fate = Order::Same; break;
                    case Fate::Write: break;
                }
            }
        }
        SPI_freetuptable(SPI_tuptable);
    }
    int writes = 0;
    for (int i = 0; i < n; ++i) {
        if (orders[i].fate == Order::Stale) ++counts->skipped_stale;
        else if (orders[i].fate == Order::Same) ++counts->unchanged;
        else {
            orders[i].fate = Order::Write;
            ++writes;
        }
    }
    if (writes == 0) return;

    // 3. customers and products
    Column reg_wc, reg_hash, reg_name, guest_hash, guest_name, prod_wc, prod_name, prod_sku;
    column_init(&reg_wc, INT4OID, writes);
    column_init(&reg_hash, TEXTOID, writes);
    column_init(&reg_name, TEXTOID, writes);
    column_init(&guest_hash, TEXTOID, writes);
    column_init(&guest_name, TEXTOID, writes);
    column_init(&prod_wc, INT4OID, writes * 2);
    column_init(&prod_name, TEXTOID, writes * 2);
    column_init(&prod_sku, TEXTOID, writes * 2);
    int n_items = 0;
    for (int i = 0; i < n; ++i) {
        Order *o = &orders[i];
        if (o->fate != Order::Write) continue;
        if (o->wc_customer > 0) {
            column_push(&reg_wc, Int32GetDatum(o->wc_customer), false);
            column_push(&reg_hash, PointerGetDatum(o->email_hash), o->email_hash == nullptr);
            column_push(&reg_name, PointerGetDatum(o->customer_name), o->customer_name == nullptr);
        } else if (o->email_hash != nullptr) {
            column_push(&guest_hash, PointerGetDatum(o->email_hash), false);
            column_push(&guest_name, PointerGetDatum(o->customer_name), o->customer_name == nullptr);
        }
        for (int k = 0; k < o->n_items; ++k) {
            Item *it = &o->items[k];
            ++n_items;
            if (it->wc_product <= 0) continue;
            column_push(&prod_wc, Int32GetDatum(it->wc_product), false);
            column_push(&prod_name, PointerGetDatum(it->name), it->name == nullptr);
            column_push(&prod_sku, PointerGetDatum(it->sku), it->sku == nullptr);
        }
    }
    IdMap registered{0, nullptr, nullptr, nullptr}, guests{0, nullptr, nullptr, nullptr}, products{0, nullptr, nullptr, nullptr};
    if (reg_wc.n > 0) {
        Column adopt_wc, adopt_hash;
        column_init(&adopt_wc, INT4OID, reg_wc.n);
        column_init(&adopt_hash, TEXTOID, reg_wc.n);
        for (int k = 0; k < reg_wc.n; ++k)
            if (!reg_hash.nulls[k]) {
                column_push(&adopt_wc, reg_wc.values[k], false);
                column_push(&adopt_hash, reg_hash.values[k], false);
            }
        adopt_guest_customers(call, &adopt_wc, &adopt_hash);
        Datum v[4] = {store, column_array(&reg_wc), column_array(&reg_hash), column_array(&reg_name)};
        run(&ensure_customers, v, "    ");
        run(&customer_ids, v, "  ");
        registered = read_id_map(false);
    }
    if (guest_hash.n > 0) {
        Datum v[3] = {store, column_array(&guest_hash), column_array(&guest_name)};
        run(&ensure_guests, v, "   ");
        guests = IdMap{0, nullptr, static_cast<char **>(palloc(sizeof(char *) * (guest_hash.n + 1))),
                       static_cast<Datum *>(palloc(sizeof(Datum) * (guest_hash.n + 1)))};
        guests.n = probe_guests(store, &guest_hash, guests.text_keys, guests.ids, false);
        if (guests.n < 0) {
            run(&guest_ids, v, "  ");
            guests = read_id_map(true);
        }
    }
    if (prod_wc.n > 0) {
        // Most products exist after a store's first calls: look them up first, and
        // create (then look up) only the missing ones.
        Datum v[4] = {store, column_array(&prod_wc), column_array(&prod_name), column_array(&prod_sku)};
        run(&product_ids, v, "  ");
        products = read_id_map(false);
        Column miss_wc, miss_name, miss_sku;
        column_init(&miss_wc, INT4OID, prod_wc.n);
        column_init(&miss_name, TEXTOID, prod_wc.n);
        column_init(&miss_sku, TEXTOID, prod_wc.n);
        for (int k = 0; k < prod_wc.n; ++k) {
            Datum id;
            if (find_int(products, DatumGetInt32(prod_wc.values[k]), &id)) continue;
            column_push(&miss_wc, prod_wc.values[k], false);
            column_push(&miss_name, prod_name.values[k], prod_name.nulls[k]);
            column_push(&miss_sku, prod_sku.values[k], prod_sku.nulls[k]);
        }
        if (miss_wc.n > 0) {
            Datum m[4] = {store, column_array(&miss_wc), column_array(&miss_name), column_array(&miss_sku)};
            run(&ensure_products, m, "    ");
            run(&product_ids, m, "  ");
            const IdMap created = read_id_map(false);
            IdMap all{products.n + created.n, static_cast<int64_t *>(palloc(sizeof(int64_t) * (products.n + created.n + 1))),
                      nullptr, static_cast<Datum *>(palloc(sizeof(Datum) * (products.n + created.n + 1)))};
            for (int k = 0; k < products.n; ++k) all.int_keys[k] = products.int_keys[k], all.ids[k] = products.ids[k];
            for (int k = 0; k < created.n; ++k)
                all.int_keys[products.n + k] = created.int_keys[k], all.ids[products.n + k] = created.ids[k];
            products = all;
        }
    }

    // 4. orders
    Column c[15];
    const Oid types[15] = {INT4OID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID,
                           NUMERICOID, TEXTOID, UUIDOID, TEXTOID, TEXTOID, NUMERICOID, BYTEAOID};
    for (int k = 0; k < 15; ++k) column_init(&c[k], types[k], writes);
    for (int i = 0; i < n; ++i) {
        Order *o = &orders[i];
        if (o->fate != Order::Write) continue;
        if (o->wc_customer > 0)
            o->customer_null = !find_int(registered, o->wc_customer, &o->customer_id);
        else if (o->email_hash != nullptr)
            o->customer_null = !find_text(guests, o->email_hash, &o->customer_id);
        column_push(&c[0], Int32GetDatum(o->rec->wc_id), false);
        column_push(&c[1], o->date_created, false);
        column_push(&c[2], o->date_modified, o->date_modified_null);
        column_push(&c[3], PointerGetDatum(o->status), false);
        column_push(&c[4], o->total, false);
        column_push(&c[5], o->subtotal, o->subtotal_null);
        column_push(&c[6], o->tax_total, o->tax_null);
        column_push(&c[7], o->shipping_total, o->shipping_null);
        column_push(&c[8], o->discount_total, o->discount_null);
        column_push(&c[9], PointerGetDatum(o->currency), o->currency == nullptr);
        column_push(&c[10], o->customer_id, o->customer_null);
        column_push(&c[11], PointerGetDatum(o->payment_method), o->payment_method == nullptr);
        column_push(&c[12], PointerGetDatum(o->coupon_used), o->coupon_used == nullptr);
        column_push(&c[13], o->refunded_total, false);
        column_push(&c[14], PointerGetDatum(o->hash), false);
    }
    Datum values[17];
    values[0] = store;
    for (int k = 0; k < 15; ++k) values[k + 1] = column_array(&c[k]);
    values[16] = random_uuids(c[0].n);  // the id of each order, used when it is new
    // Steps 4-6 write the rollup's deltas once, at the end (rollup.hpp).
    const bool batch = woo::pg::rollup::batch_begin();
    run(&upsert_orders, values, "                 ");

    // RETURNING: which orders were written (inserted or updated), with their ids.
    const int returned = static_cast<int>(SPI_processed);
    auto *ret_wc = static_cast<int64_t *>(palloc(sizeof(int64_t) * (returned + 1)));
    auto *ret_id = static_cast<Datum *>(palloc(sizeof(Datum) * (returned + 1)));
    auto *ret_inserted = static_cast<bool *>(palloc(sizeof(bool) * (returned + 1)));
    for (int t = 0; t < returned; ++t) {
        bool isnull;
        HeapTuple tup = SPI_tuptable->vals[t];
        ret_wc[t] = DatumGetInt32(SPI_getbinval(tup, SPI_tuptable->tupdesc, 1, &isnull));
        ret_id[t] = copy_uuid(SPI_getbinval(tup, SPI_tuptable->tupdesc, 2, &isnull));
        ret_inserted[t] = DatumGetBool(SPI_getbinval(tup, SPI_tuptable->tupdesc, 3, &isnull));
    }
    SPI_freetuptable(SPI_tuptable);

    // 5. line items of the written orders: replaced, never merged
    Column updated_ids, refund_orders, refund_lists;
    column_init(&updated_ids, UUIDOID, returned);
    column_init(&refund_orders, UUIDOID, returned);
    column_init(&refund_lists, JSONBOID, returned);
    Column it[7];
    const Oid item_types[7] = {UUIDOID, UUIDOID, TEXTOID, TEXTOID, NUMERICOID, NUMERICOID, NUMERICOID};
    for (int k = 0; k < 7; ++k) column_init(&it[k], item_types[k], n_items);
    int t = 0;
    for (int i = 0; i < n; ++i) {
        Order *o = &orders[i];
        if (o->fate != Order::Write) continue;
        while (t < returned && ret_wc[t] < o->rec->wc_id) ++t;
        if (t >= returned || ret_wc[t] != o->rec->wc_id) {  // a newer version landed meanwhile
            ++counts->skipped_stale;
            continue;
        }
        if (ret_inserted[t]) {
            ++counts->inserted;
        } else {
            ++counts->updated;
            column_push(&updated_ids, ret_id[t], false);
            if (!o->prev_customer_null) affected_add(affected, o->prev_customer);
        }
        if (!o->customer_null) affected_add(affected, o->customer_id);
        if (o->refunds != nullptr || !ret_inserted[t]) {  // an updated order may have lost its refunds
            column_push(&refund_orders, ret_id[t], false);
            column_push(&refund_lists, PointerGetDatum(o->refunds), o->refunds == nullptr);
        }
        for (int k = 0; k < o->n_items; ++k) {
            Item *item = &o->items[k];
            Datum product_id = (Datum)0;
            const bool no_product = item->wc_product <= 0 || !find_int(products, item->wc_product, &product_id);
            column_push(&it[0], ret_id[t], false);
            column_push(&it[1], product_id, no_product);
            column_push(&it[2], PointerGetDatum(item->name), item->name == nullptr);
            column_push(&it[3], PointerGetDatum(item->sku), item->sku == nullptr);
            column_push(&it[4], item->quantity, false);
            column_push(&it[5], item->subtotal, item->subtotal_null);
            column_push(&it[6], item->total, item->total_null);
        }
        ++t;
    }
    if (updated_ids.n > 0) {
        Datum v[2] = {store, column_array(&updated_ids)};
        Column tids;
        column_init(&tids, TIDOID, updated_ids.n * 4);
        const int found = probe_order_items(store, &updated_ids, &tids);
        if (found < 0) {
            run(&delete_items, v, "  ");
        } else if (found > 0) {
            Datum t[1] = {column_array(&tids)};
            run_tid_probing(&delete_items_by_tid, t, " ");
        }
    }
    if (it[0].n > 0) {
        Datum v[9];
        v[0] = store;
        for (int k = 0; k < 7; ++k) v[k + 1] = column_array(&it[k]);
        v[8] = random_uuids(it[0].n);
        run(&insert_items, v, "         ");
    }
    // 6. refunds
    if (refund_orders.n > 0 && has_refund_rows()) {
        Datum v[3] = {store, column_array(&refund_orders), column_array(&refund_lists)};
        run(&sync_refunds, v, "   ");
        SPI_freetuptable(SPI_tuptable);
    }
    woo::pg::rollup::batch_end(batch);
}

// A chunk as write_chunk_guarded sees it (lenient mode retries record by record).
struct OrderChunk {
    const Call *call;
    Order *orders;
    Counts *counts;
    Column *affected;
};
void write_orders(void *arg, int first, int count) {
    auto *c = static_cast<OrderChunk *>(arg);
    write_chunk(c->call, c->orders + first, count, c->counts, c->affected);
}
void reset_order(void *arg, int i) {
    Order *o = &static_cast<OrderChunk *>(arg)->orders[i];
    o->fate = Order::Pending;
    o->prev_customer_null = true;
    o->customer_null = true;
}
const Record *order_record(void *arg, int i) { return static_cast<OrderChunk *>(arg)->orders[i].rec; }

// The driver's steps for orders.
struct OrdersState {
    const Call *call;
    Counts *counts;
    Column *affected;
};
void prepare_orders(void *entries, int capacity) {
    auto *orders = static_cast<Order *>(entries);
    for (int k = 0; k < capacity; ++k) orders[k].prev_customer_null = true;
}
void write_order_chunk(void *state, void *entries, int count) {
    auto *st = static_cast<OrdersState *>(state);
    OrderChunk chunk{st->call, static_cast<Order *>(entries), st->counts, st->affected};
    const ChunkWriter writer{write_orders, reset_order, order_record, &chunk};
    write_chunk_guarded(st->call, &writer, count, st->counts, st->affected);
}
const Driver kOrders = {sizeof(Order), parse_order, prepare_orders, write_order_chunk, &stored_orders};

}  // namespace

namespace woo::pg::ingest {

Counts upsert_orders_payload(const Call *call, Jsonb *payload) {
    Counts counts{0, 0, 0, 0, 0, 0};
    Column affected;  // customers whose metrics change: recomputed once, at the end
    affected_init(&affected);
    OrdersState state{call, &counts, &affected};
    drive_chunks(call, payload, kOrders, &state, &counts);
    recompute_affected(call, &affected);
    return counts;
}

}  // namespace woo::pg::ingest
