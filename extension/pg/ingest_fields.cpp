// Field readers: typed, validated values out of a record's JSON (each error names
// the record and field), and the content hash of a parsed row.

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

namespace {

constexpr int32 kMoneyTypmod = ((12 << 16) | 2) + VARHDRSZ;  // numeric(12,2)

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

}  // namespace

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

bytea *content_finish(ContentHash *h, const Record *r) {
    bytea *out = static_cast<bytea *>(palloc(VARHDRSZ + 2 * kHashBytes));
    SET_VARSIZE(out, VARHDRSZ + 2 * kHashBytes);
    if (!sha256_noexcept(h->buf.data, h->buf.len, reinterpret_cast<unsigned char *>(VARDATA(out))))
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("SHA-256 failed")));
    std::memcpy(VARDATA(out) + kHashBytes, r->fingerprint, kHashBytes);
    pfree(h->buf.data);
    return out;
}

}  // namespace woo::pg::ingest
