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
#include "utils/inval.h"
#include "access/genam.h"
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
namespace {

constexpr int32 kMoneyTypmod = ((12 << 16) | 2) + VARHDRSZ;  // numeric(12,2)

// Core calls that may throw are wrapped here: no C++ exception may cross a
// PG_TRY frame (parse_guarded runs record parsing inside one).
bool sha256_noexcept(const void *data, size_t len, unsigned char out[32]) noexcept {
    try {
        woo::core::Sha256::instance().digest(data, len, out);
        return true;
    } catch (...) {
        return false;
    }
}

bool hash_email_noexcept(std::string_view in, char *scratch, char hex[64], bool *failed) noexcept {
    try {
        return woo::core::hash_email(in, false, scratch, hex);
    } catch (...) {
        *failed = true;
        return false;
    }
}

// "orders[3] (id 1205)" or "orders[3]" when the id is unknown.
const char *record_name(const char *resource, int index, int64_t wc_id) {
    return wc_id > 0 ? psprintf("%s[%d] (id " INT64_FORMAT ")", resource, index, wc_id)
                     : psprintf("%s[%d]", resource, index);
}

const char *rname(const Record *r) {
    return record_name(r->call != nullptr ? r->call->resource : "records", r->index, r->wc_id);
}

// A JSON number's full text (numeric_out: 1e3 is "1000"), for parsing.
const char *numeric_text(JsonbValue *v) {
    return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
}

// A scalar's text for messages: at most 60 characters, and a string holding
// an e-mail address is shown as its hash (the e-mail rule covers error texts).
const char *value_for_message(JsonbValue *v) {
    switch (v->type) {
        case jbvString: {
            const std::string_view sv(v->val.string.val, v->val.string.len);
            if (woo::core::contains_email(sv)) {
                char *scratch = static_cast<char *>(palloc(sv.size() + 1));
                char hex[64];
                bool failed = false;
                if (!hash_email_noexcept(sv, scratch, hex, &failed) || failed) return "\"sha256:\"";
                return psprintf("\"sha256:%.64s\"", hex);
            }
            const int len = v->val.string.len > 60 ? 60 : v->val.string.len;
            return psprintf("\"%.*s%s\"", len, v->val.string.val, v->val.string.len > 60 ? "..." : "");
        }
        case jbvNumeric: {
            const char *t = numeric_text(v);
            return strlen(t) > 60 ? psprintf("%.60s...", t) : t;
        }
        case jbvBool:
            return v->val.boolean ? "true" : "false";
        case jbvNull:
            return "null";
        default:
            return "a JSON container";
    }
}

[[noreturn]] void bad_field(const Record *r, const char *path, const char *key, int sqlerrcode, const char *what) {
    ereport(ERROR, (errcode(sqlerrcode), errmsg("%s: %s%s %s", rname(r), path, key, what)));
    pg_unreachable();
}

// Calls a type input function; re-raises its ERROR prefixed with record and field.
Datum input_call(const Record *r, const char *path, const char *key, PGFunction fn, const char *str, int32 typmod) {
    Datum result = (Datum)0;
    ErrorData *edata = woo::pg::catch_pg_error([&] {
        result = DirectFunctionCall3(fn, CStringGetDatum(str), ObjectIdGetDatum(InvalidOid), Int32GetDatum(typmod));
    });
    if (edata != nullptr)
        ereport(ERROR, (errcode(edata->sqlerrcode), errmsg("%s: %s%s \"%s\": %s", rname(r), path, key, str, edata->message)));
    return result;
}

// The e-mail rule on a text the extension stores (a name, a username used as
// display_name, ...): e-mail-shaped words with a dotted domain become
// "sha256:" + their hash; anything else is kept as is.
text *redact_stored_text(text *t) {
    const std::string_view in(VARDATA(t), VARSIZE(t) - VARHDRSZ);
    text *out = nullptr;
    bool changed = false;
    try {
        const std::string r = woo::core::redact_emails_in_text(in, true);
        changed = r != in;
        if (changed) {
            // MCXT_ALLOC_NO_OOM: NULL instead of an ERROR longjmp over `r`.
            out = static_cast<text *>(palloc_extended(VARHDRSZ + r.size(), MCXT_ALLOC_NO_OOM));
            if (out != nullptr) {
                SET_VARSIZE(out, VARHDRSZ + r.size());
                std::memcpy(VARDATA(out), r.data(), r.size());
            }
        }
    } catch (...) {
        changed = true;
        out = nullptr;
    }
    if (!changed) return t;
    if (out == nullptr) ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("could not hash an e-mail address in a text")));
    return out;
}

char *string_of(JsonbValue *v) { return pnstrdup(v->val.string.val, v->val.string.len); }

// ---- rejects --------------------------------------------------------------------

// Rebuilds a jsonb value with every string (keys included) that holds an
// e-mail address replaced by "sha256:" + its hash: rejected payloads keep no
// plaintext e-mail.
Jsonb *redact_emails(Jsonb *in) {
    JsonbParseState *state = nullptr;
    JsonbIterator *it = JsonbIteratorInit(&in->root);
    JsonbValue v;
    JsonbIteratorToken tok;
    JsonbValue *res = nullptr;
    while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE) {
        if ((tok == WJB_VALUE || tok == WJB_ELEM || tok == WJB_KEY) && v.type == jbvString &&
            woo::core::contains_email(std::string_view(v.val.string.val, v.val.string.len))) {
            char *scratch = static_cast<char *>(palloc(v.val.string.len + 1));
            char hex[64];
            bool failed = false;
            const bool has = hash_email_noexcept(std::string_view(v.val.string.val, v.val.string.len), scratch, hex, &failed);
            if (failed) ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("SHA-256 failed")));
            char *replacement = has ? psprintf("sha256:%.64s", hex) : pstrdup("");
            v.val.string.val = replacement;
            v.val.string.len = strlen(replacement);
        }
        res = pushJsonbValue(&state, tok, tok < WJB_BEGIN_ARRAY ? &v : nullptr);
    }
    return JsonbValueToJsonb(res);
}

Statement reject_insert = {
    "INSERT INTO woo.ingest_rejects (store_id, resource, wc_id, payload, error, sqlstate) "
    "VALUES ($1, $2, $3, $4, $5, $6)",
    6, {UUIDOID, TEXTOID, INT8OID, JSONBOID, TEXTOID, TEXTOID}, nullptr};

// The e-mail rule on an error text (whatever raised it): e-mail-shaped words hashed.
const char *redact_message(const char *message) {
    if (!woo::core::contains_email(message)) return message;
    char *out = nullptr;
    try {
        const std::string r = woo::core::redact_emails_in_text(message);
        // MCXT_ALLOC_NO_OOM: NULL instead of an ERROR longjmp over `r`.
        out = static_cast<char *>(palloc_extended(r.size() + 1, MCXT_ALLOC_NO_OOM));
        if (out != nullptr) std::memcpy(out, r.c_str(), r.size() + 1);
    } catch (...) {
        out = nullptr;
    }
    if (out == nullptr) ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("could not redact an error message")));
    return out;
}

void store_reject(const Call *call, const Record *rec, Jsonb *payload, int sqlerrcode, const char *message) {
    Datum values[6] = {call->store_id, PointerGetDatum(text_of(call->resource)), Int64GetDatum(rec->wc_id),
                       JsonbPGetDatum(redact_emails(payload)), PointerGetDatum(text_of(redact_message(message))),
                       PointerGetDatum(text_of(unpack_sql_state(sqlerrcode)))};
    const char nulls[7] = {' ', ' ', rec->wc_id > 0 ? ' ' : 'n', ' ', ' ', ' ', '\0'};
    run(&reject_insert, values, nulls);
}

// The jsonb of one payload element on its own.
Jsonb *element_jsonb(Jsonb *payload, int i) {
    if (!JB_ROOT_IS_ARRAY(payload)) return payload;
    JsonbValue *v = getIthJsonbValueFromContainer(&payload->root, i);
    return JsonbValueToJsonb(v);
}

int compare_records(const void *a, const void *b) {
    const auto *x = static_cast<const Record *>(a);
    const auto *y = static_cast<const Record *>(b);
    if (x->wc_id != y->wc_id) return x->wc_id < y->wc_id ? -1 : 1;
    return x->index < y->index ? -1 : (x->index > y->index ? 1 : 0);
}

}  // namespace

// ---- the call ------------------------------------------------------------------

Datum counts_datum(FunctionCallInfo fcinfo, const Counts &c) {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "woo.upsert_result expected as the return type");
    desc = BlessTupleDesc(desc);
    Datum values[6] = {Int32GetDatum(c.inserted), Int32GetDatum(c.updated), Int32GetDatum(c.unchanged),
                       Int32GetDatum(c.skipped_stale), Int32GetDatum(c.deleted), Int32GetDatum(c.rejected)};
    bool nulls[6] = {false, false, false, false, false, false};
    return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
}

static Statement store_timezone = {
    "SELECT coalesce(settings->>'timezone', 'UTC'), is_active IS TRUE FROM public.stores WHERE id = $1", 1, {UUIDOID}, nullptr};

void begin_call(Call *call, const char *resource, Datum store_id, bool strict) {
    call->resource = resource;
    call->store_id = store_id;
    call->strict = strict;

    const pg_uuid_t bound = woo::pg::bound_store_or_error();
    if (std::memcmp(&bound, DatumGetUUIDP(store_id), sizeof bound) != 0)
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                        errmsg("store_id %s is not the store bound to this transaction",
                               DatumGetCString(DirectFunctionCall1(uuid_out, store_id))),
                        errhint("Bind it first: SET LOCAL woo.store_id = '<store uuid>'.")));

    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    Datum values[1] = {store_id};
    run(&store_timezone, values, " ");
    if (SPI_processed != 1)
        ereport(ERROR, (errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
                        errmsg("store %s does not exist", DatumGetCString(DirectFunctionCall1(uuid_out, store_id)))));
    call->timezone = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
    bool active_null;
    if (!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &active_null)))
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("store %s is deactivated: ingestion and webhooks are refused",
                               DatumGetCString(DirectFunctionCall1(uuid_out, store_id))),
                        errhint("Its data stays readable; set stores.is_active = true to resume syncing.")));

    // Validate the zone once, with a message that says where it comes from.
    ErrorData *edata = woo::pg::catch_pg_error([&] {
        (void)DirectFunctionCall2(timestamp_zone, PointerGetDatum(text_of(call->timezone)), TimestampGetDatum(0));
    });
    if (edata != nullptr)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("stores.settings->>'timezone' of store %s: %s",
                               DatumGetCString(DirectFunctionCall1(uuid_out, store_id)), edata->message)));
}

void finish_call() { SPI_finish(); }

// ---- records -------------------------------------------------------------------

int payload_length(Jsonb *payload) {
    if (JB_ROOT_IS_SCALAR(payload))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("payload must be a JSON object or an array of objects, not a scalar")));
    return JB_ROOT_IS_ARRAY(payload) ? static_cast<int>(JB_ROOT_COUNT(payload)) : 1;
}

JsonbContainer *payload_object(Jsonb *payload, int i, bool *is_object) {
    if (!JB_ROOT_IS_ARRAY(payload)) {
        *is_object = true;
        return &payload->root;
    }
    JsonbValue *v = getIthJsonbValueFromContainer(&payload->root, i);
    *is_object = v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data);
    return *is_object ? v->val.binary.data : nullptr;
}

Record *collect_records(const Call *call, Jsonb *payload, int *n_out, Counts *counts) {
    const int n = payload_length(payload);
    auto *records = static_cast<Record *>(palloc0(sizeof(Record) * (n > 0 ? n : 1)));
    int kept = 0;
    for (int i = 0; i < n; ++i) {
        CHECK_FOR_INTERRUPTS();
        bool is_object;
        Record *rec = &records[kept];
        rec->index = i;
        rec->wc_id = 0;
        rec->obj = payload_object(payload, i, &is_object);
        rec->payload = payload;
        rec->call = call;
        const char *problem = nullptr;
        int code = ERRCODE_INVALID_PARAMETER_VALUE;
        if (!is_object) {
            problem = "is not a JSON object";
        } else {
            JsonbValue v;
            if (!field(rec->obj, "id", &v)) {
                problem = "id is required";
            } else {
                woo::core::ParsedInteger id{woo::core::IntegerKind::NotInteger, 0};
                if (v.type == jbvNumeric) id = woo::core::parse_integer_checked(numeric_text(&v), 1, PG_INT32_MAX);
                if (id.kind == woo::core::IntegerKind::OutOfRange) {
                    problem = psprintf("id %s is out of range for a WooCommerce id (1 to %d)", value_for_message(&v), PG_INT32_MAX);
                    code = ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
                } else if (id.kind == woo::core::IntegerKind::NotInteger) {
                    problem = psprintf("id %s is not a WooCommerce id (a positive integer)", value_for_message(&v));
                    code = ERRCODE_INVALID_TEXT_REPRESENTATION;
                } else {
                    rec->wc_id = id.value;
                }
            }
        }
        if (problem == nullptr) {
            ++kept;
            continue;
        }
        const char *message = psprintf("%s: %s", record_name(call->resource, i, 0), problem);
        if (call->strict) ereport(ERROR, (errcode(code), errmsg("%s", message)));
        store_reject(call, rec, element_jsonb(payload, i), code, message);
        ++counts->rejected;
    }
    qsort(records, kept, sizeof(Record), compare_records);
    *n_out = kept;
    return records;
}

bool parse_guarded(const Call *call, const Record *rec, void (*parse)(const Call *, const Record *, void *), void *out,
                   Counts *counts) {
    if (call->strict) {  // nothing to catch: the ERROR is the answer
        parse(call, rec, out);
        return true;
    }
    ErrorData *edata = woo::pg::catch_pg_error([&] { parse(call, rec, out); });
    if (edata == nullptr) return true;
    // Only bad input (class 22: what the readers and input functions raise)
    // becomes a reject; anything else (out of memory, an internal error, a
    // cancel) is not the record's fault and fails the call unchanged.
    if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION) ReThrowError(edata);
    store_reject(call, rec, element_jsonb(rec->payload, rec->index), edata->sqlerrcode, edata->message);
    ++counts->rejected;
    return false;
}

namespace {
// Runs fn(arg) in a subtransaction (the way PL/Python's plpy.subtransaction
// does): NULL when it committed, else the error, after the rollback.
ErrorData *in_subtransaction(void (*fn)(void *, int, int), void *arg, int first, int count) {
    MemoryContext cxt = CurrentMemoryContext;
    ResourceOwner owner = CurrentResourceOwner;
    BeginInternalSubTransaction(nullptr);
    MemoryContextSwitchTo(cxt);  // allocations stay in the chunk's context
    ErrorData *edata = woo::pg::catch_pg_error([&] {
        fn(arg, first, count);
        ReleaseCurrentSubTransaction();
    });
    if (edata != nullptr) RollbackAndReleaseCurrentSubTransaction();
    MemoryContextSwitchTo(cxt);
    CurrentResourceOwner = owner;
    return edata;
}

bool is_data_exception(const ErrorData *e) { return ERRCODE_TO_CATEGORY(e->sqlerrcode) == ERRCODE_DATA_EXCEPTION; }
}  // namespace

void write_chunk_guarded(const Call *call, const ChunkWriter *w, int n, Counts *counts, Column *affected) {
    if (n == 0) return;
    if (call->strict) {
        w->write(w->arg, 0, n);
        return;
    }
    const Counts saved = *counts;
    const int saved_affected = affected ? affected->n : 0;
    ErrorData *edata = in_subtransaction(w->write, w->arg, 0, n);
    if (edata == nullptr) return;
    *counts = saved;
    if (affected) affected->n = saved_affected;
    if (!is_data_exception(edata)) ReThrowError(edata);
    FreeErrorData(edata);
    for (int i = 0; i < n; ++i) {
        CHECK_FOR_INTERRUPTS();
        const Counts one = *counts;
        const int one_affected = affected ? affected->n : 0;
        w->reset(w->arg, i);
        edata = in_subtransaction(w->write, w->arg, i, 1);
        if (edata == nullptr) continue;
        *counts = one;
        if (affected) affected->n = one_affected;
        if (!is_data_exception(edata)) ReThrowError(edata);
        const Record *rec = w->record(w->arg, i);
        store_reject(call, rec, element_jsonb(rec->payload, rec->index), edata->sqlerrcode,
                     psprintf("%s: %s", rname(rec), edata->message));
        ++counts->rejected;
        FreeErrorData(edata);
    }
}

// ---- field readers ----------------------------------------------------------------

bool field(JsonbContainer *obj, const char *key, JsonbValue *out) {
    JsonbValue *v = getKeyJsonValueFromContainer(obj, key, strlen(key), out);
    return v != nullptr && v->type != jbvNull;
}

JsonbContainer *nested_object(const Record *r, JsonbContainer *obj, const char *key) {
    JsonbValue v;
    if (!field(obj, key, &v)) return nullptr;
    if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
        bad_field(r, "", key, ERRCODE_INVALID_PARAMETER_VALUE, "must be a JSON object");
    return v.val.binary.data;
}

JsonbContainer *nested_array(const Record *r, JsonbContainer *obj, const char *key, int *n) {
    JsonbValue v;
    *n = 0;
    if (!field(obj, key, &v)) return nullptr;
    if (v.type != jbvBinary || !JsonContainerIsArray(v.val.binary.data))
        bad_field(r, "", key, ERRCODE_INVALID_PARAMETER_VALUE, "must be a JSON array");
    *n = static_cast<int>(JsonContainerSize(v.val.binary.data));
    return v.val.binary.data;
}

void missing(const Record *r, const char *path, const char *key) {
    bad_field(r, path, key, ERRCODE_INVALID_PARAMETER_VALUE, "is required");
}

bool read_int(const Record *r, const char *path, JsonbContainer *obj, const char *key, int64_t min, int64_t max,
              int64_t *out) {
    JsonbValue v;
    if (!field(obj, key, &v)) return false;
    woo::core::ParsedInteger value{woo::core::IntegerKind::NotInteger, 0};
    if (v.type == jbvNumeric)
        value = woo::core::parse_integer_checked(numeric_text(&v), min, max);
    else if (v.type == jbvString)  // PHP sometimes quotes numbers
        value = woo::core::parse_integer_checked(std::string_view(v.val.string.val, v.val.string.len), min, max);
    if (value.kind == woo::core::IntegerKind::OutOfRange)  // never wrapped onto another record
        bad_field(r, path, key, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
                  psprintf("%s is out of range (" INT64_FORMAT " to " INT64_FORMAT ")", value_for_message(&v), min, max));
    if (value.kind != woo::core::IntegerKind::Value)
        bad_field(r, path, key, ERRCODE_INVALID_TEXT_REPRESENTATION,
                  psprintf("%s is not an integer between " INT64_FORMAT " and " INT64_FORMAT, value_for_message(&v), min, max));
    *out = value.value;
    return true;
}

bool read_money(const Record *r, const char *path, JsonbContainer *obj, const char *key, Datum *out) {
    return read_decimal(r, path, obj, key, kMoneyTypmod, out);
}

bool read_decimal(const Record *r, const char *path, JsonbContainer *obj, const char *key, int32 typmod, Datum *out) {
    JsonbValue v;
    if (!field(obj, key, &v)) return false;
    if (v.type == jbvNumeric) {
        ErrorData *edata = woo::pg::catch_pg_error(
            [&] { *out = DirectFunctionCall2(numeric, NumericGetDatum(v.val.numeric), Int32GetDatum(typmod)); });
        if (edata != nullptr) bad_field(r, path, key, edata->sqlerrcode, edata->message);
        return true;
    }
    if (v.type != jbvString)
        bad_field(r, path, key, ERRCODE_INVALID_TEXT_REPRESENTATION, psprintf("%s is not a number", value_for_message(&v)));
    switch (woo::core::classify_money(std::string_view(v.val.string.val, v.val.string.len))) {
        case woo::core::MoneyKind::Empty:
            return false;
        case woo::core::MoneyKind::Invalid:
            bad_field(r, path, key, ERRCODE_INVALID_TEXT_REPRESENTATION, psprintf("%s is not a number", value_for_message(&v)));
        case woo::core::MoneyKind::Value:
            break;
    }
    *out = input_call(r, path, key, numeric_in, string_of(&v), typmod);
    return true;
}

Datum derived_money(const Record *r, const char *what, Datum value) {
    Datum result = (Datum)0;
    ErrorData *edata =
        woo::pg::catch_pg_error([&] { result = DirectFunctionCall2(numeric, value, Int32GetDatum(kMoneyTypmod)); });
    if (edata != nullptr)
        bad_field(r, "", what, edata->sqlerrcode,
                  psprintf("%s does not fit numeric(12,2) (at most 9999999999.99)",
                           DatumGetCString(DirectFunctionCall1(numeric_out, value))));
    return result;
}

void derived_text_length(const Record *r, const char *what, text *t, int max_chars) {
    if (t != nullptr && pg_mbstrlen_with_len(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)) > max_chars)
        bad_field(r, "", what, ERRCODE_STRING_DATA_RIGHT_TRUNCATION, psprintf("is longer than %d characters", max_chars));
}

bool read_datetime(const Call *call, const Record *r, JsonbContainer *obj, const char *key, const char *key_gmt,
                   Datum *out) {
    JsonbValue v;
    const bool gmt = key_gmt != nullptr && field(obj, key_gmt, &v);
    if (!gmt && !field(obj, key, &v)) return false;
    const char *name = gmt ? key_gmt : key;
    if (v.type != jbvString)
        bad_field(r, "", name, ERRCODE_INVALID_DATETIME_FORMAT, psprintf("%s is not a date", value_for_message(&v)));
    if (v.val.string.len == 0) return false;
    if (!woo::core::is_wc_datetime(std::string_view(v.val.string.val, v.val.string.len)))
        bad_field(r, "", name, ERRCODE_INVALID_DATETIME_FORMAT,
                  psprintf("%s is not a date (YYYY-MM-DDTHH:MM:SS)", value_for_message(&v)));
    const Datum ts = input_call(r, "", name, timestamp_in, string_of(&v), -1);
    // *_gmt: the wall-clock value is UTC, which is how timestamptz is stored.
    *out = gmt ? ts : DirectFunctionCall2(timestamp_zone, PointerGetDatum(text_of(call->timezone)), ts);
    return true;
}

text *read_text(const Record *r, const char *path, JsonbContainer *obj, const char *key, int max_chars, bool html) {
    JsonbValue v;
    if (!field(obj, key, &v)) return nullptr;
    return element_text(r, psprintf("%s%s", path, key), &v, max_chars, html);
}

text *element_text(const Record *r, const char *name, JsonbValue *v, int max_chars, bool html) {
    const char *data;
    int len;
    if (v->type == jbvString) {
        data = v->val.string.val;
        len = v->val.string.len;
    } else if (v->type == jbvNumeric) {  // e.g. a numeric SKU
        data = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
        len = static_cast<int>(strlen(data));
    } else {
        bad_field(r, "", name, ERRCODE_INVALID_PARAMETER_VALUE, psprintf("%s is not a string", value_for_message(v)));
    }
    text *t = static_cast<text *>(palloc(VARHDRSZ + len));
    const size_t n = html ? woo::core::decode_html_entities(std::string_view(data, len), VARDATA(t))
                          : (memcpy(VARDATA(t), data, len), static_cast<size_t>(len));
    SET_VARSIZE(t, VARHDRSZ + n);
    if (memchr(VARDATA(t), '@', n) != nullptr) t = redact_stored_text(t);
    if (max_chars > 0 && pg_mbstrlen_with_len(VARDATA(t), static_cast<int>(VARSIZE(t) - VARHDRSZ)) > max_chars)
        bad_field(r, "", name, ERRCODE_STRING_DATA_RIGHT_TRUNCATION, psprintf("is longer than %d characters", max_chars));
    return t;
}

text *email_hash_of(const Record *r, const char *path, JsonbContainer *obj, const char *key) {
    JsonbValue v;
    if (!field(obj, key, &v)) return nullptr;
    if (v.type != jbvString) bad_field(r, path, key, ERRCODE_INVALID_PARAMETER_VALUE, "is not a string");
    char *scratch = static_cast<char *>(palloc(v.val.string.len + 1));
    char hex[64];
    bool failed = false;
    if (!hash_email_noexcept(std::string_view(v.val.string.val, v.val.string.len), scratch, hex, &failed)) {
        if (failed) ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("SHA-256 failed")));
        return nullptr;
    }
    return cstring_to_text_with_len(hex, 64);
}

void content_init(ContentHash *h) { initStringInfo(&h->buf); }

// Each value is framed (tag, length, bytes) so that adjacent values cannot
// be confused ("ab","c" vs "a","bc").
void content_add(ContentHash *h, Datum value, bool isnull, bool byval) {
    if (isnull) {
        appendStringInfoChar(&h->buf, 'N');
        return;
    }
    if (byval) {
        appendStringInfoChar(&h->buf, 'V');
        appendBinaryStringInfo(&h->buf, reinterpret_cast<const char *>(&value), sizeof value);
        return;
    }
    struct varlena *v = reinterpret_cast<struct varlena *>(DatumGetPointer(value));
    const uint32 len = VARSIZE_ANY_EXHDR(v);
    appendStringInfoChar(&h->buf, 'L');
    appendBinaryStringInfo(&h->buf, reinterpret_cast<const char *>(&len), sizeof len);
    appendBinaryStringInfo(&h->buf, VARDATA_ANY(v), static_cast<int>(len));
}

void content_add_int(ContentHash *h, int64_t value) { content_add(h, Int64GetDatum(value), false, true); }

bytea *content_finish(ContentHash *h) {
    bytea *out = static_cast<bytea *>(palloc(VARHDRSZ + 32));
    SET_VARSIZE(out, VARHDRSZ + 32);
    if (!sha256_noexcept(h->buf.data, h->buf.len, reinterpret_cast<unsigned char *>(VARDATA(out))))
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("SHA-256 failed")));
    pfree(h->buf.data);
    return out;
}

// ---- array parameters ---------------------------------------------------------------

void column_init(Column *c, Oid elemtype, int cap) {
    c->elemtype = elemtype;
    get_typlenbyvalalign(elemtype, &c->typlen, &c->typbyval, &c->typalign);
    c->cap = cap > 0 ? cap : 1;
    c->n = 0;
    c->values = static_cast<Datum *>(palloc(sizeof(Datum) * c->cap));
    c->nulls = static_cast<bool *>(palloc(sizeof(bool) * c->cap));
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

// ---- guests by e-mail hash ------------------------------------------------------------

int probe_guests(Datum store, const Column *hashes, char **keys_out, Datum *ids_out, bool first_only) {
    const Oid ns = get_namespace_oid("public", false);
    const Oid relid = get_relname_relid("customers", ns);
    const Oid idxid = get_relname_relid("customers_store_guest_email_key", ns);
    if (!OidIsValid(relid) || !OidIsValid(idxid)) return -1;
    const AttrNumber id_att = get_attnum(relid, "id");
    Relation heap = table_open(relid, AccessShareLock);
    Relation idx = index_open(idxid, AccessShareLock);
    // What the next statement would see: this transaction's own rows (the guests
    // just created), and under READ COMMITTED a new snapshot (the guests another
    // transaction created while ON CONFLICT waited for it).
    CommandCounterIncrement();
    Snapshot snap = RegisterSnapshot(GetTransactionSnapshot());
    snap->curcid = GetCurrentCommandId(false);
    IndexScanDesc scan = index_beginscan(heap, idx, snap, 2, 0);
    TupleTableSlot *slot = table_slot_create(heap, nullptr);
    int found = 0;
    for (int k = 0; k < hashes->n; ++k) {
        if (hashes->nulls[k]) continue;
        ScanKeyData keys[2];
        ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_UUID_EQ, store);
        ScanKeyEntryInitialize(&keys[1], 0, 2, BTEqualStrategyNumber, InvalidOid, idx->rd_indcollation[1], F_TEXTEQ,
                               hashes->values[k]);
        index_rescan(scan, keys, 2, nullptr, 0);
        if (!index_getnext_slot(scan, ForwardScanDirection, slot)) continue;
        if (ids_out != nullptr) {
            bool isnull;
            auto *u = static_cast<pg_uuid_t *>(palloc(sizeof(pg_uuid_t)));
            std::memcpy(u, DatumGetUUIDP(slot_getattr(slot, id_att, &isnull)), sizeof(pg_uuid_t));
            ids_out[found] = UUIDPGetDatum(u);
            keys_out[found] = TextDatumGetCString(hashes->values[k]);
        }
        ++found;
        if (first_only) break;
    }
    ExecDropSingleTupleTableSlot(slot);
    index_endscan(scan);
    UnregisterSnapshot(snap);
    index_close(idx, AccessShareLock);
    table_close(heap, AccessShareLock);
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
// depend on statistics: the customers are locked one by one through their
// primary key, in id order; then each one (a new snapshot per statement, which
// sees any concurrent writer of these customers that committed meanwhile) is
// updated from its own orders (the hash index on orders.customer_id or
// idx_orders_store_customer), only when a value differs. One statement per
// customer: a join of the given customers with the table is planned from
// statistics (a fresh database has none: it then reads every customer of the
// store), a probe of one id is not. total_spent saturates at the bounds of
// numeric(12,2), as in woo.expected_customer_metrics (README, "Customer metrics").
static Statement lock_customers = {
    "SELECT l.id FROM (SELECT DISTINCT a.id FROM unnest($2::uuid[]) AS a(id) ORDER BY a.id) AS k "
    "CROSS JOIN LATERAL (SELECT c.id FROM public.customers c WHERE c.id = k.id AND c.store_id = $1 "
    "                     OFFSET 0 FOR NO KEY UPDATE) l",
    2, {UUIDOID, UUIDARRAYOID}, nullptr};
static Statement excluded_statuses = {"SELECT woo.excluded_statuses($1)", 1, {UUIDOID}, nullptr};
static Statement update_metrics = {
    "UPDATE public.customers c SET total_spent = m.spent, order_count = m.n, first_order_date = m.first, last_order_date = m.last "
    "  FROM (SELECT least(greatest(coalesce(sum(o.total - o.refunded_total), 0), -9999999999.99), 9999999999.99)::numeric(12,2) "
    "               AS spent, count(*)::integer AS n, "
    "               min(o.date_created) AS first, max(o.date_created) AS last "
    "          FROM public.orders o "
    "         WHERE o.store_id = $1 AND o.customer_id = $2 AND o.status <> ALL ($3)) m "
    " WHERE c.id = $2 AND c.store_id = $1 "
    "   AND (c.total_spent, c.order_count, c.first_order_date, c.last_order_date) "
    "       IS DISTINCT FROM (m.spent, m.n, m.first, m.last)",
    3, {UUIDOID, UUIDOID, TEXTARRAYOID}, nullptr};

void recompute_affected(const Call *call, const Column *c) {
    if (c->n == 0) return;
    // The library also serves databases still at 1.2, which have no metrics.
    Oid argtypes[2] = {UUIDOID, UUIDARRAYOID};
    if (!OidIsValid(LookupFuncName(list_make2(makeString(pstrdup("woo")), makeString(pstrdup("recompute_customer_metrics"))),
                                   2, argtypes, true)))
        return;
    Datum values[2] = {call->store_id, column_array(c)};
    run(&excluded_statuses, values, " ");
    bool isnull, excluded_null;
    Datum excluded = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &excluded_null);
    if (!excluded_null) excluded = PointerGetDatum(DatumGetArrayTypePCopy(excluded));
    SPI_freetuptable(SPI_tuptable);
    run(&lock_customers, values, "  ");
    const int n = static_cast<int>(SPI_processed);
    auto *ids = static_cast<pg_uuid_t *>(palloc(sizeof(pg_uuid_t) * (n + 1)));
    for (int t = 0; t < n; ++t)
        std::memcpy(&ids[t], DatumGetUUIDP(SPI_getbinval(SPI_tuptable->vals[t], SPI_tuptable->tupdesc, 1, &isnull)),
                    sizeof(pg_uuid_t));
    SPI_freetuptable(SPI_tuptable);
    for (int t = 0; t < n; ++t) {
        CHECK_FOR_INTERRUPTS();
        Datum v[3] = {call->store_id, UUIDPGetDatum(&ids[t]), excluded};
        const char nulls[4] = {' ', ' ', excluded_null ? 'n' : ' ', '\0'};
        run(&update_metrics, v, nulls);
    }
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
