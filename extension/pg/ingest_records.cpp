// Call, record and reject bookkeeping of the woo.upsert_* calls: the call (store check,
// SPI, timezone), the payload's records, parse_guarded / write_chunk_guarded and the
// rejects they store; plus the message helpers the field readers share.

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

namespace {

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

JsonbContainer *payload_object(Jsonb *payload, int i, bool *is_object, uint32 *len) {
    if (!JB_ROOT_IS_ARRAY(payload)) {
        *is_object = true;
        if (len != nullptr) *len = VARSIZE(payload) - VARHDRSZ;
        return &payload->root;
    }
    JsonbValue *v = getIthJsonbValueFromContainer(&payload->root, i);
    *is_object = v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data);
    if (len != nullptr) *len = *is_object ? static_cast<uint32>(v->val.binary.len) : 0;
    return *is_object ? v->val.binary.data : nullptr;
}

namespace {

// A jsonb object's bytes depend only on its value (keys sorted and unique,
// containers 4-byte aligned with offsets relative to themselves), wherever it
// sits: an order in a REST page and the same order as a webhook body have the
// same bytes.
void fingerprint(const Call *call, const Record *rec, uint32 len, StringInfo buf, unsigned char out[32]) {
    resetStringInfo(buf);
    appendStringInfoString(buf, kFingerprintVersion);
    appendStringInfoChar(buf, '\0');
    appendStringInfoString(buf, call->resource);
    appendStringInfoChar(buf, '\0');
    appendStringInfoString(buf, call->timezone);
    appendStringInfoChar(buf, '\0');
    appendBinaryStringInfo(buf, reinterpret_cast<const char *>(rec->obj), static_cast<int>(len));
    if (!sha256_noexcept(buf->data, buf->len, out)) ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("SHA-256 failed")));
}

}  // namespace

Record *collect_records(const Call *call, Jsonb *payload, int *n_out, Counts *counts) {
    const int n = payload_length(payload);
    auto *records = static_cast<Record *>(palloc0(sizeof(Record) * (n > 0 ? n : 1)));
    int kept = 0;
    StringInfoData buf;
    initStringInfo(&buf);
    for (int i = 0; i < n; ++i) {
        CHECK_FOR_INTERRUPTS();
        bool is_object;
        Record *rec = &records[kept];
        rec->index = i;
        rec->wc_id = 0;
        uint32 len = 0;
        rec->obj = payload_object(payload, i, &is_object, &len);
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
            fingerprint(call, rec, len, &buf, rec->fingerprint);
            ++kept;
            continue;
        }
        const char *message = psprintf("%s: %s", record_name(call->resource, i, 0), problem);
        if (call->strict) ereport(ERROR, (errcode(code), errmsg("%s", message)));
        store_reject(call, rec, element_jsonb(payload, i), code, message);
        ++counts->rejected;
    }
    pfree(buf.data);
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

}  // namespace woo::pg::ingest
