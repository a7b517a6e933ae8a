// woo.upsert_products / upsert_customers / upsert_categories / upsert_coupons.
//
// One driver for the single-table resources: per chunk of records (ascending
// WooCommerce id), parse, classify against the stored row (stale by modified
// date where the table has one, unchanged by payload hash), resolve references
// (a product's category, a customer's guest row), then one upsert statement.
#include "pg/boundary.hpp"
#include "pg/ingest_common.hpp"
#include "pg/ingest_catalog.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
}

#include <cstring>

using namespace woo::pg::ingest;

namespace {

constexpr int kMaxCols = 16;

struct Row {
    const Record *rec;
    Datum values[kMaxCols];  // data columns, in the order of the spec's upsert (after store_id, wc id)
    bool nulls[kMaxCols];
    Datum modified;  // stale rule; modified_null when the payload has none
    bool modified_null;
    int64_t ref_wc;   // a referenced WooCommerce id (product -> category); 0: none
    text *ref_name;   // its name, for a placeholder
    bool write;
};

struct Spec {
    const char *resource;
    int ncols;
    const Oid *types;
    Statement *existing;  // SELECT wc_id, modified, payload_hash ... WHERE store_id = $1 AND wc_id = ANY($2)
    Statement *upsert;    // $1 store, $2 wc ids, $3.. columns; RETURNING wc_id, id, inserted
    void (*parse)(const Call *, const Record *, void *);
    void (*before_write)(const Call *, Row *, int);  // resolve references; may be null
    void (*after_write)(const Call *, const Row *, int);  // once a chunk is written; may be null
    bool fingerprints;  // unchanged records skip parsing (Driver::probe = existing); not for categories
};

// Column types of each resource, after store_id and the WooCommerce id; the
// last column is always payload_hash.
const Oid kProductTypes[] = {TEXTOID, TEXTOID, NUMERICOID, NUMERICOID, NUMERICOID, UUIDOID, TEXTOID, INT4OID, TEXTOID,
                             TEXTOID, TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID, BYTEAOID};
const Oid kCustomerTypes[] = {TEXTOID, TEXTOID, TIMESTAMPTZOID, BYTEAOID};
const Oid kCategoryTypes[] = {TEXTOID, INT4OID, INT4OID, BYTEAOID};
const Oid kCouponTypes[] = {TEXTOID, TEXTOID, NUMERICOID, INT4OID, TIMESTAMPTZOID, BYTEAOID};

// ---- shared pieces -----------------------------------------------------------------

void put(Row *row, int col, Datum v, bool isnull) {
    row->values[col] = v;
    row->nulls[col] = isnull;
}

void put_text(Row *row, int col, text *t) { put(row, col, PointerGetDatum(t), t == nullptr); }

text *nonempty(text *t) { return (t != nullptr && VARSIZE_ANY_EXHDR(t) > 0) ? t : nullptr; }

// The last column is the content hash of the others (and of the reference).
void put_content_hash(Row *row, int hash_col, const Oid *types) {
    ContentHash h;
    content_init(&h);
    for (int k = 0; k < hash_col; ++k) {
        if (types[k] == UUIDOID) continue;  // resolved references (category_id) are hashed by ref_wc below
        content_add(&h, row->values[k], row->nulls[k], types[k] == INT4OID || types[k] == TIMESTAMPTZOID);
    }
    content_add_int(&h, row->ref_wc);
    content_add(&h, PointerGetDatum(row->ref_name), row->ref_name == nullptr, false);
    put(row, hash_col, PointerGetDatum(content_finish(&h, row->rec)), false);
}

void put_money(const Record *r, JsonbContainer *obj, const char *key, Row *row, int col) {
    Datum d;
    const bool has = read_money(r, "", obj, key, &d);
    put(row, col, d, !has);
}

// ---- products -------------------------------------------------------------------
// columns: name, sku, price, regular_price, sale_price, category_id, category_name,
//          stock_quantity, stock_status, status, type, created_at, updated_at, payload_hash

// A variation listed by /products/<id>/variations has no name, type or parent:
// it is known by attributes carrying an "option". Its name is built from them.
text *variation_name(const Record *r, JsonbContainer *obj) {
    int n = 0;
    JsonbContainer *attrs = nested_array(r, obj, "attributes", &n);
    StringInfoData name;
    initStringInfo(&name);
    for (int i = 0; i < n; ++i) {
        JsonbValue *v = getIthJsonbValueFromContainer(attrs, i);
        if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data)) continue;
        const char *path = psprintf("attributes[%d].", i);
        text *option = read_text(r, path, v->val.binary.data, "option", 0, true);
        if (option == nullptr) continue;
        text *attr = read_text(r, path, v->val.binary.data, "name", 0, true);
        appendStringInfo(&name, "%s%s%s%s", name.len ? ", " : "", attr ? text_to_cstring(attr) : "", attr ? ": " : "",
                         text_to_cstring(option));
    }
    return name.len ? cstring_to_text_with_len(name.data, name.len) : nullptr;
}

void parse_product(const Call *call, const Record *r, void *out) {
    auto *row = static_cast<Row *>(out);
    JsonbContainer *obj = r->obj;
    row->rec = r;
    text *type = read_text(r, "", obj, "type", 50, false);
    text *name = read_text(r, "", obj, "name", 500, true);
    if (type == nullptr) {
        text *vname = variation_name(r, obj);
        if (vname != nullptr) type = cstring_to_text("variation");
        if (name == nullptr) {
            derived_text_length(r, "name (built from attributes[].name and .option)", vname, 500);
            name = vname;
        }
    }
    if (name == nullptr) missing(r, "", "name");
    put_text(row, 0, name);
    put_text(row, 1, nonempty(read_text(r, "", obj, "sku", 100, false)));
    put_money(r, obj, "price", row, 2);
    put_money(r, obj, "regular_price", row, 3);
    put_money(r, obj, "sale_price", row, 4);
    // categories[0]: resolved to category_id in before_write
    int n = 0;
    JsonbContainer *cats = nested_array(r, obj, "categories", &n);
    row->ref_wc = 0;
    row->ref_name = nullptr;
    if (n > 0) {
        JsonbValue *v = getIthJsonbValueFromContainer(cats, 0);
        if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("products[%d] (id " INT64_FORMAT "): categories[0] is not a JSON object", r->index, r->wc_id)));
        read_int(r, "categories[0].", v->val.binary.data, "id", 0, PG_INT32_MAX, &row->ref_wc);
        row->ref_name = read_text(r, "categories[0].", v->val.binary.data, "name", 255, true);
    }
    put(row, 5, (Datum)0, true);
    put_text(row, 6, row->ref_name);
    int64_t stock = 0;
    const bool has_stock = read_int(r, "", obj, "stock_quantity", PG_INT32_MIN, PG_INT32_MAX, &stock);
    put(row, 7, Int32GetDatum(static_cast<int32>(stock)), !has_stock);
    put_text(row, 8, read_text(r, "", obj, "stock_status", 50, false));
    text *status = read_text(r, "", obj, "status", 50, false);
    put_text(row, 9, status ? status : cstring_to_text("publish"));
    put_text(row, 10, type ? type : cstring_to_text("simple"));
    Datum created;
    put(row, 11, created, !read_datetime(call, r, obj, "date_created", "date_created_gmt", &created));
    row->modified_null = !read_datetime(call, r, obj, "date_modified", "date_modified_gmt", &row->modified);
    put(row, 12, row->modified, row->modified_null);
    put_content_hash(row, 13, kProductTypes);
}

Statement products_existing = {
    "SELECT x.* FROM unnest($2::int4[]) AS k(wc) "
    "CROSS JOIN LATERAL (SELECT wc_product_id, updated_at, payload_hash FROM public.products WHERE store_id = $1 AND wc_product_id = k.wc OFFSET 0) x",
    2, {UUIDOID, INT4ARRAYOID}, nullptr};

Statement products_upsert = {
    "INSERT INTO public.products AS p (store_id, wc_product_id, name, sku, price, regular_price, sale_price, category_id, "
    "  category_name, stock_quantity, stock_status, status, type, created_at, updated_at, payload_hash) "
    "SELECT $1, u.* FROM unnest($2::int4[], $3::text[], $4::text[], $5::numeric[], $6::numeric[], $7::numeric[], $8::uuid[], "
    "  $9::text[], $10::int4[], $11::text[], $12::text[], $13::text[], $14::timestamptz[], $15::timestamptz[], $16::bytea[]) AS u "
    "ON CONFLICT (store_id, wc_product_id) DO UPDATE SET name = EXCLUDED.name, sku = EXCLUDED.sku, price = EXCLUDED.price, "
    "  regular_price = EXCLUDED.regular_price, sale_price = EXCLUDED.sale_price, category_id = EXCLUDED.category_id, "
    "  category_name = EXCLUDED.category_name, stock_quantity = EXCLUDED.stock_quantity, stock_status = EXCLUDED.stock_status, "
    "  status = EXCLUDED.status, type = EXCLUDED.type, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, "
    "  payload_hash = EXCLUDED.payload_hash "
    "WHERE p.updated_at IS NULL OR EXCLUDED.updated_at IS NULL OR EXCLUDED.updated_at >= p.updated_at "
    "RETURNING p.wc_product_id, p.id, (p.xmax = 0)",
    16, {UUIDOID, INT4ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID, UUIDARRAYOID,
         TEXTARRAYOID, INT4ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID,
         BYTEAARRAYOID}, nullptr};

// Categories referenced by products: placeholders (name only) until synced.
// Their ids are read by a statement of their own, with a snapshot that sees a
// placeholder a concurrent transaction committed while ON CONFLICT waited for it.
Statement ensure_categories = {
    "WITH wanted AS (SELECT DISTINCT ON (wc) wc, n FROM unnest($2::int4[], $3::text[]) AS u(wc, n) ORDER BY wc) "
    "INSERT INTO public.categories (store_id, wc_category_id, name) "
    "SELECT $1, wc, coalesce(n, '') FROM wanted ORDER BY wc "
    "ON CONFLICT (store_id, wc_category_id) DO NOTHING",
    3, {UUIDOID, INT4ARRAYOID, TEXTARRAYOID}, nullptr};
Statement category_ids = {
    "SELECT x.wc_category_id, x.id FROM unnest($2::int4[]) AS k(wc) "
    "CROSS JOIN LATERAL (SELECT wc_category_id, id FROM public.categories WHERE store_id = $1 AND wc_category_id = k.wc OFFSET 0) x",
    2, {UUIDOID, INT4ARRAYOID}, nullptr};

void product_categories(const Call *call, Row *rows, int n) {
    Column wc, name;
    column_init(&wc, INT4OID, n);
    column_init(&name, TEXTOID, n);
    for (int i = 0; i < n; ++i)
        if (rows[i].write && rows[i].ref_wc > 0) {
            column_push(&wc, Int32GetDatum(rows[i].ref_wc), false);
            column_push(&name, PointerGetDatum(rows[i].ref_name), rows[i].ref_name == nullptr);
        }
    if (wc.n == 0) return;
    Datum v[3] = {call->store_id, column_array(&wc), column_array(&name)};
    run(&ensure_categories, v, "   ");
    run(&category_ids, v, "  ");
    for (uint64 t = 0; t < SPI_processed; ++t) {
        bool isnull;
        const int64_t key = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[t], SPI_tuptable->tupdesc, 1, &isnull));
        const Datum id = copy_uuid(SPI_getbinval(SPI_tuptable->vals[t], SPI_tuptable->tupdesc, 2, &isnull));
        for (int i = 0; i < n; ++i)
            if (rows[i].write && rows[i].ref_wc == key) put(&rows[i], 5, id, false);
    }
    SPI_freetuptable(SPI_tuptable);
}

// ---- customers ----------------------------------------------------------------------
// columns: email_hash, display_name, created_at, payload_hash

void parse_customer(const Call *call, const Record *r, void *out) {
    auto *row = static_cast<Row *>(out);
    JsonbContainer *obj = r->obj;
    row->rec = r;
    put_text(row, 0, email_hash_of(r, "", obj, "email"));
    text *first = nonempty(read_text(r, "", obj, "first_name", 0, false));
    text *last = nonempty(read_text(r, "", obj, "last_name", 0, false));
    const char *name = psprintf("%s%s%s", first ? text_to_cstring(first) : "", first && last ? " " : "",
                                last ? text_to_cstring(last) : "");
    text *display = *name ? cstring_to_text(name) : nonempty(read_text(r, "", obj, "username", 0, false));
    if (display && pg_mbstrlen_with_len(VARDATA_ANY(display), VARSIZE_ANY_EXHDR(display)) > 255)
        ereport(ERROR, (errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
                        errmsg("customers[%d] (id " INT64_FORMAT "): first_name and last_name are longer than 255 characters",
                               r->index, r->wc_id)));
    put_text(row, 1, display);
    Datum created;
    put(row, 2, created, !read_datetime(call, r, obj, "date_created", "date_created_gmt", &created));
    put_content_hash(row, 3, kCustomerTypes);
    row->modified_null = true;  // customers have no modified column: every change is applied
}

Statement customers_existing = {
    "SELECT x.* FROM unnest($2::int4[]) AS k(wc) "
    "CROSS JOIN LATERAL (SELECT wc_customer_id, NULL::timestamptz, payload_hash FROM public.customers WHERE store_id = $1 AND wc_customer_id = k.wc OFFSET 0) x",
    2, {UUIDOID, INT4ARRAYOID}, nullptr};

// A guest (same e-mail hash, no WooCommerce id) who registers becomes this
// customer: the row, and so its orders and metrics, are kept.
Statement adopt_guests = {
    "UPDATE public.customers c SET wc_customer_id = u.wc "
    "  FROM unnest($2::int4[], $3::text[]) AS u(wc, h) "
    " WHERE c.store_id = $1 AND c.wc_customer_id IS NULL AND c.email_hash = u.h "
    "   AND NOT EXISTS (SELECT 1 FROM public.customers r WHERE r.store_id = $1 AND r.wc_customer_id = u.wc)",
    3, {UUIDOID, INT4ARRAYOID, TEXTARRAYOID}, nullptr};

// Whether any guest would be adopted (usually none): one probe per e-mail hash,
// guests kept after (as guest_ids in ingest_orders.cpp), whatever the statistics
// say; the UPDATE, whose join is planned from statistics, runs only then.
Statement adoptable_guests = {
    "SELECT 1 FROM unnest($2::int4[], $3::text[]) AS u(wc, h) "
    "CROSS JOIN LATERAL (SELECT g.wc_customer_id FROM public.customers g "
    "                     WHERE g.store_id = $1 AND g.email_hash = u.h OFFSET 0) g WHERE g.wc_customer_id IS NULL LIMIT 1",
    3, {UUIDOID, INT4ARRAYOID, TEXTARRAYOID}, nullptr};

void customer_guests(const Call *call, Row *rows, int n) {
    Column wc, hash;
    column_init(&wc, INT4OID, n);
    column_init(&hash, TEXTOID, n);
    for (int i = 0; i < n; ++i)
        if (rows[i].write && !rows[i].nulls[0]) {
            column_push(&wc, Int32GetDatum(rows[i].rec->wc_id), false);
            column_push(&hash, rows[i].values[0], false);
        }
    adopt_guest_customers(call, &wc, &hash);
}

Statement customers_upsert = {
    "INSERT INTO public.customers AS c (store_id, wc_customer_id, email_hash, display_name, created_at, payload_hash) "
    "SELECT $1, u.* FROM unnest($2::int4[], $3::text[], $4::text[], $5::timestamptz[], $6::bytea[]) AS u "
    "ON CONFLICT (store_id, wc_customer_id) DO UPDATE SET email_hash = EXCLUDED.email_hash, "
    "  display_name = EXCLUDED.display_name, created_at = EXCLUDED.created_at, payload_hash = EXCLUDED.payload_hash "
    "RETURNING c.wc_customer_id, c.id, (c.xmax = 0)",
    6, {UUIDOID, INT4ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, BYTEAARRAYOID}, nullptr};

// ---- categories -------------------------------------------------------------------
// columns: name, product_count, wc parent (resolved after the write), payload_hash

void parse_category(const Call *call, const Record *r, void *out) {
    auto *row = static_cast<Row *>(out);
    JsonbContainer *obj = r->obj;
    row->rec = r;
    text *name = read_text(r, "", obj, "name", 255, true);
    if (name == nullptr) missing(r, "", "name");
    put_text(row, 0, name);
    int64_t count = 0;
    const bool has_count = read_int(r, "", obj, "count", 0, PG_INT32_MAX, &count);
    put(row, 1, Int32GetDatum(static_cast<int32>(count)), !has_count);
    int64_t parent = 0;
    read_int(r, "", obj, "parent", 0, PG_INT32_MAX, &parent);
    put(row, 2, Int32GetDatum(static_cast<int32>(parent)), false);
    put_content_hash(row, 3, kCategoryTypes);
    row->modified_null = true;
}

Statement categories_existing = {
    "SELECT x.* FROM unnest($2::int4[]) AS k(wc) "
    "CROSS JOIN LATERAL (SELECT wc_category_id, NULL::timestamptz, payload_hash FROM public.categories WHERE store_id = $1 AND wc_category_id = k.wc OFFSET 0) x",
    2, {UUIDOID, INT4ARRAYOID}, nullptr};

// The parent is a WooCommerce id, resolved whatever the order of arrival: a
// parent not yet synced gets a placeholder row that its own upsert completes.
Statement categories_upsert = {
    "WITH u AS (SELECT * FROM unnest($2::int4[], $3::text[], $4::int4[], $5::int4[], $6::bytea[]) AS u(wc, n, cnt, parent, h)), "
    "parents AS (INSERT INTO public.categories (store_id, wc_category_id, name) "
    "            SELECT DISTINCT $1::uuid, parent, '' FROM u WHERE parent > 0 AND parent NOT IN (SELECT wc FROM u) ORDER BY 2 "
    "            ON CONFLICT (store_id, wc_category_id) DO NOTHING) "
    "INSERT INTO public.categories AS c (store_id, wc_category_id, name, product_count, payload_hash) "
    "SELECT $1, wc, n, coalesce(cnt, 0), h FROM u "
    "ON CONFLICT (store_id, wc_category_id) DO UPDATE SET name = EXCLUDED.name, product_count = EXCLUDED.product_count, "
    "  payload_hash = EXCLUDED.payload_hash "
    "RETURNING c.wc_category_id, c.id, (c.xmax = 0)",
    6, {UUIDOID, INT4ARRAYOID, TEXTARRAYOID, INT4ARRAYOID, INT4ARRAYOID, BYTEAARRAYOID}, nullptr};

// Parent links in two statements whose plans do not depend on statistics (an
// UPDATE ... FROM joining the list with the table does): the children whose link
// differs, each child and parent probed by WooCommerce id; then one UPDATE of
// those by TID (run_tid_probing).
Statement categories_links_to_set = {
    "SELECT c.tid, p.id FROM unnest($2::int4[], $3::int4[]) AS u(wc, parent) "
    "CROSS JOIN LATERAL (SELECT ctid AS tid, parent_id FROM public.categories "
    "                     WHERE store_id = $1 AND wc_category_id = u.wc OFFSET 0) c "
    "LEFT JOIN LATERAL (SELECT id FROM public.categories WHERE store_id = $1 AND wc_category_id = u.parent OFFSET 0) p ON true "
    "WHERE c.parent_id IS DISTINCT FROM p.id",
    3, {UUIDOID, INT4ARRAYOID, INT4ARRAYOID}, nullptr};
Statement categories_set_links = {
    "UPDATE public.categories c SET parent_id = u.parent FROM unnest($1::tid[], $2::uuid[]) AS u(tid, parent) "
    "WHERE c.ctid = u.tid",
    2, {TIDARRAYOID, UUIDARRAYOID}, nullptr};

// ---- coupons ------------------------------------------------------------------------
// columns: code, discount_type, amount, usage_count, date_modified, payload_hash

void parse_coupon(const Call *call, const Record *r, void *out) {
    auto *row = static_cast<Row *>(out);
    JsonbContainer *obj = r->obj;
    row->rec = r;
    text *code = read_text(r, "", obj, "code", 100, false);
    if (code == nullptr) missing(r, "", "code");
    put_text(row, 0, code);
    put_text(row, 1, read_text(r, "", obj, "discount_type", 50, false));
    put_money(r, obj, "amount", row, 2);
    int64_t usage = 0;
    const bool has_usage = read_int(r, "", obj, "usage_count", 0, PG_INT32_MAX, &usage);
    put(row, 3, Int32GetDatum(static_cast<int32>(usage)), !has_usage);
    Datum modified;  // stored for woo.sync_cursor only: coupons keep no stale check
    put(row, 4, modified, !read_datetime(call, r, obj, "date_modified", "date_modified_gmt", &modified));
    put_content_hash(row, 5, kCouponTypes);
    row->modified_null = true;
}

Statement coupons_existing = {
    "SELECT x.* FROM unnest($2::int4[]) AS k(wc) "
    "CROSS JOIN LATERAL (SELECT wc_coupon_id, NULL::timestamptz, payload_hash FROM public.coupons WHERE store_id = $1 AND wc_coupon_id = k.wc OFFSET 0) x",
    2, {UUIDOID, INT4ARRAYOID}, nullptr};

Statement coupons_upsert = {
    "INSERT INTO public.coupons AS c (store_id, wc_coupon_id, code, discount_type, amount, usage_count, date_modified, payload_hash) "
    "SELECT $1, u.wc, u.code, u.dt, u.amount, coalesce(u.usage, 0), u.dm, u.h "
    "  FROM unnest($2::int4[], $3::text[], $4::text[], $5::numeric[], $6::int4[], $7::timestamptz[], $8::bytea[]) "
    "    AS u(wc, code, dt, amount, usage, dm, h) "
    "ON CONFLICT (store_id, wc_coupon_id) DO UPDATE SET code = EXCLUDED.code, discount_type = EXCLUDED.discount_type, "
    "  amount = EXCLUDED.amount, usage_count = EXCLUDED.usage_count, date_modified = EXCLUDED.date_modified, "
    "  payload_hash = EXCLUDED.payload_hash "
    "RETURNING c.wc_coupon_id, c.id, (c.xmax = 0)",
    8, {UUIDOID, INT4ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, NUMERICARRAYOID, INT4ARRAYOID, TIMESTAMPTZARRAYOID, BYTEAARRAYOID}, nullptr};

// ---- the driver ---------------------------------------------------------------------

void write_rows(const Call *call, const Spec &spec, Row *rows, int n, Counts *counts) {
    if (n == 0) return;
    Datum store = call->store_id;
    auto decide = [counts](Row *row, Fate fate) {
        row->write = fate == Fate::Write;
        if (fate == Fate::Stale) ++counts->skipped_stale;
        if (fate == Fate::Same) ++counts->unchanged;
    };
    for (int i = 0; i < n; ++i) rows[i].write = true;
    if (spec.fingerprints) {
        // The driver read the stored rows before parsing (read_stored).
        for (int i = 0; i < n; ++i) {
            Row *row = &rows[i];
            bytea *mine = DatumGetByteaPP(row->values[spec.ncols - 1]);  // payload_hash is the last column
            decide(row, classify_stored(row->rec, row->modified_null, row->modified, mine));
        }
    } else {
        Column ids;
        column_init(&ids, INT4OID, n);
        for (int i = 0; i < n; ++i) column_push(&ids, Int32GetDatum(rows[i].rec->wc_id), false);
        Datum v[2] = {store, column_array(&ids)};
        run(spec.existing, v, "  ");
        for (uint64 t = 0; t < SPI_processed; ++t) {
            bool null_wc, null_dm, null_hash;
            HeapTuple tup = SPI_tuptable->vals[t];
            const int64_t wc = DatumGetInt32(SPI_getbinval(tup, SPI_tuptable->tupdesc, 1, &null_wc));
            const Datum dm = SPI_getbinval(tup, SPI_tuptable->tupdesc, 2, &null_dm);
            const Datum h = SPI_getbinval(tup, SPI_tuptable->tupdesc, 3, &null_hash);
            for (int i = 0; i < n; ++i) {
                Row *row = &rows[i];
                if (row->rec->wc_id != wc) continue;
                bytea *mine = DatumGetByteaPP(row->values[spec.ncols - 1]);  // payload_hash is the last column
                decide(row, classify(null_dm, dm, null_hash, h, row->modified_null, row->modified, mine));
            }
        }
        SPI_freetuptable(SPI_tuptable);
    }
    if (spec.before_write) spec.before_write(call, rows, n);

    Column wc;
    Column cols[kMaxCols];
    column_init(&wc, INT4OID, n);
    for (int k = 0; k < spec.ncols; ++k) column_init(&cols[k], spec.types[k], n);
    int writes = 0;
    for (int i = 0; i < n; ++i) {
        if (!rows[i].write) continue;
        ++writes;
        column_push(&wc, Int32GetDatum(rows[i].rec->wc_id), false);
        for (int k = 0; k < spec.ncols; ++k) column_push(&cols[k], rows[i].values[k], rows[i].nulls[k]);
    }
    if (writes == 0) return;
    Datum values[kMaxCols + 2];
    char nulls[kMaxCols + 3];
    values[0] = store;
    values[1] = column_array(&wc);
    for (int k = 0; k < spec.ncols; ++k) values[k + 2] = column_array(&cols[k]);
    memset(nulls, ' ', sizeof nulls);
    nulls[spec.ncols + 2] = '\0';
    run(spec.upsert, values, nulls);
    int inserted = 0;
    for (uint64 t = 0; t < SPI_processed; ++t) {
        bool isnull;
        if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[t], SPI_tuptable->tupdesc, 3, &isnull))) ++inserted;
    }
    const int returned = static_cast<int>(SPI_processed);
    SPI_freetuptable(SPI_tuptable);
    counts->inserted += inserted;
    counts->updated += returned - inserted;
    counts->skipped_stale += writes - returned;  // a newer version landed meanwhile
}

// A chunk as write_chunk_guarded sees it (lenient mode retries record by record).
struct RowChunk {
    const Call *call;
    const Spec *spec;
    Row *rows;
    Counts *counts;
};
void write_row_chunk(void *arg, int first, int count) {
    auto *c = static_cast<RowChunk *>(arg);
    const Spec &spec = *c->spec;
    Row *rows = c->rows + first;
    write_rows(c->call, spec, rows, count, c->counts);
    if (spec.after_write && count > 0) spec.after_write(c->call, rows, count);
}
void reset_row(void *, int) {}  // write_rows recomputes every decision it takes
const Record *row_record(void *arg, int i) { return static_cast<RowChunk *>(arg)->rows[i].rec; }

// The driver's steps for a catalogue resource.
struct SpecState {
    const Call *call;
    const Spec *spec;
    Counts *counts;
};
void write_spec_chunk(void *state, void *entries, int count) {
    auto *st = static_cast<SpecState *>(state);
    RowChunk chunk{st->call, st->spec, static_cast<Row *>(entries), st->counts};
    const ChunkWriter writer{write_row_chunk, reset_row, row_record, &chunk};
    write_chunk_guarded(st->call, &writer, count, st->counts, nullptr);
}

Counts run_spec(const Call *call, const Spec &spec, Jsonb *payload) {
    Counts counts{0, 0, 0, 0, 0, 0};
    const Driver res = {sizeof(Row), spec.parse, nullptr, write_spec_chunk, spec.fingerprints ? spec.existing : nullptr};
    SpecState state{call, &spec, &counts};
    drive_chunks(call, payload, res, &state, &counts);
    return counts;
}

// categories: link every parent of this chunk now that all its rows exist
void link_category_parents(const Call *call, const Row *rows, int count) {
    Column wc, parent;
    column_init(&wc, INT4OID, count);
    column_init(&parent, INT4OID, count);
    for (int k = 0; k < count; ++k) {
        column_push(&wc, Int32GetDatum(rows[k].rec->wc_id), false);
        column_push(&parent, rows[k].values[2], false);
    }
    Datum v[3] = {call->store_id, column_array(&wc), column_array(&parent)};
    run(&categories_links_to_set, v, "   ");
    Column links[2];  // the child's TID, its parent's id (NULL: none)
    static const Oid types[2] = {TIDOID, UUIDOID};
    result_columns(links, types, 2);
    SPI_freetuptable(SPI_tuptable);
    if (links[0].n == 0) return;
    Datum w[2] = {column_array(&links[0]), column_array(&links[1])};
    run_tid_probing(&categories_set_links, w, "  ");
}

const Spec kProducts = {"products", 14, kProductTypes, &products_existing, &products_upsert, parse_product,
                        product_categories, nullptr, true};
const Spec kCustomers = {"customers", 4, kCustomerTypes,
                         &customers_existing, &customers_upsert, parse_customer, customer_guests, nullptr, true};
const Spec kCategories = {"categories", 4, kCategoryTypes,
                          &categories_existing, &categories_upsert, parse_category, nullptr, link_category_parents, false};
const Spec kCoupons = {"coupons", 6, kCouponTypes,
                       &coupons_existing, &coupons_upsert, parse_coupon, nullptr, nullptr, true};

}  // namespace

namespace woo::pg::ingest {

void adopt_guest_customers(const Call *call, const Column *wc_ids, const Column *hashes) {
    if (wc_ids->n == 0) return;
    Datum v[3] = {call->store_id, column_array(wc_ids), column_array(hashes)};
    const int found = probe_guests(call->store_id, hashes, nullptr, nullptr, true);
    if (found == 0) return;
    if (found < 0) {
        run(&adoptable_guests, v, "   ");
        if (SPI_processed == 0) return;
    }
    run(&adopt_guests, v, "   ");
}

Counts upsert_products_payload(const Call *call, Jsonb *payload) { return run_spec(call, kProducts, payload); }
Counts upsert_customers_payload(const Call *call, Jsonb *payload) { return run_spec(call, kCustomers, payload); }
Counts upsert_categories_payload(const Call *call, Jsonb *payload) { return run_spec(call, kCategories, payload); }
Counts upsert_coupons_payload(const Call *call, Jsonb *payload) { return run_spec(call, kCoupons, payload); }

}  // namespace woo::pg::ingest
