// Stores, API keys, chart options and chat e-mails: the backend side of
// extension/core/store.hpp, plus the settings woo.bcrypt_cost,
// woo.conversation_max_messages and woo.message_max_bytes.
//
// API keys are hashed with libxcrypt's bcrypt ("$2b$", crypt_gensalt_rn +
// crypt_r); the plaintext is copied only into palloc'd buffers that are zeroed
// before they are freed, and never appears in a message.
#include "pg/boundary.hpp"
#include "pg/stores.hpp"

extern "C" {
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
}

#include "core/store.hpp"
#include "core/values.hpp"

#include <crypt.h>
#include <openssl/crypto.h>

#include <climits>
#include <cstring>
#include <string>

namespace {

int bcrypt_cost = 12;
// The highest cost a key is hashed at, and verified at: a stored hash of a
// higher cost (written by hand: woo_app may UPDATE its store's row) would make
// every verification of that URL run bcrypt for hours, uncancellable.
constexpr int kMaxBcryptCost = 16;
int conversation_max_messages = 1000;
int message_max_bytes = 65536;

// A key argument as a NUL-terminated copy; wiped by KeyBuffer's owner.
struct KeyBuffer {
    char *data;
    std::size_t len;
};

KeyBuffer key_of(text *t) {
    KeyBuffer k;
    k.len = VARSIZE_ANY_EXHDR(t);
    k.data = static_cast<char *>(palloc(k.len + 1));
    std::memcpy(k.data, VARDATA_ANY(t), k.len);
    k.data[k.len] = '\0';
    return k;
}

void wipe(KeyBuffer *k) {
    explicit_bzero(k->data, k->len);
    pfree(k->data);
}

// crypt_r output (or nullptr for libxcrypt's failure token "*..."), in `data`.
const char *bcrypt(const char *key, const char *setting, crypt_data *data) {
    const char *out = crypt_r(key, setting, data);
    return (out == nullptr || out[0] == '*') ? nullptr : out;
}

// A bcrypt setting with a fixed random salt at the current cost, made once per
// backend and cost: what an unknown store's key is hashed against.
const char *dummy_setting() {
    static int made_for = -1;
    static char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    if (made_for != bcrypt_cost) {
        if (crypt_gensalt_rn("$2b$", bcrypt_cost, nullptr, 0, setting, sizeof setting) == nullptr)
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("crypt_gensalt_rn failed for bcrypt cost %d", bcrypt_cost)));
        made_for = bcrypt_cost;
    }
    return setting;
}

// A std::string as text; an ERROR inside becomes PgError (no longjmp over `s`).
text *to_text(const std::string &s) {
    text *t = nullptr;
    woo::pg::pg_guard([&] { t = cstring_to_text_with_len(s.data(), static_cast<int>(s.size())); });
    return t;
}

}  // namespace

namespace woo::pg {

void define_store_gucs() {
    DefineCustomIntVariable("woo.bcrypt_cost", "bcrypt cost (log2 rounds) of new API key hashes.",
                            "Each verification of a key costs 2^cost bcrypt rounds (about 0.25 s at 12).", &bcrypt_cost, 12,
                            4, kMaxBcryptCost, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("woo.conversation_max_messages", "Most messages one conversation may hold.", nullptr,
                            &conversation_max_messages, 1000, 1, 1000000, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("woo.message_max_bytes", "Largest content (bytes) of one conversation message.", nullptr,
                            &message_max_bytes, 65536, 1, 100 * 1024 * 1024, PGC_SUSET, 0, nullptr, nullptr, nullptr);
}

}  // namespace woo::pg

// woo.normalize_store_url(url text) RETURNS text
WOO_FUNCTION(woo_normalize_store_url) {
    text *arg = PG_GETARG_TEXT_PP(0);
    const std::string out = woo::core::normalize_store_url(std::string_view(VARDATA_ANY(arg), VARSIZE_ANY_EXHDR(arg)));
    PG_RETURN_TEXT_P(to_text(out));
}

// woo._hash_api_key(key text, field text) RETURNS text: a new "$2b$<cost>$..." hash.
WOO_FUNCTION(woo_hash_api_key) {
    text *field = PG_GETARG_TEXT_PP(1);
    KeyBuffer key = key_of(PG_GETARG_TEXT_PP(0));
    if (!woo::core::api_key_length_ok(std::string_view(key.data, key.len))) {
        const std::size_t len = key.len;
        wipe(&key);
        const std::string f(VARDATA_ANY(field), VARSIZE_ANY_EXHDR(field));
        woo::core::check_api_key(std::string(len, 'x'), f.c_str());  // throws with the length only
    }
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    if (crypt_gensalt_rn("$2b$", bcrypt_cost, nullptr, 0, setting, sizeof setting) == nullptr) {
        wipe(&key);
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("crypt_gensalt_rn failed for bcrypt cost %d", bcrypt_cost)));
    }
    auto *data = static_cast<crypt_data *>(palloc0(sizeof(crypt_data)));
    const char *hash = bcrypt(key.data, setting, data);
    wipe(&key);
    if (hash == nullptr) ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("bcrypt hashing failed")));
    text *result = cstring_to_text(hash);
    explicit_bzero(data, sizeof(crypt_data));
    pfree(data);
    PG_RETURN_TEXT_P(result);
}

// woo._api_key_matches(key text, hash text) RETURNS boolean
// Exactly one bcrypt computation whatever the inputs: against `hash` when it is
// a bcrypt hash, else (no store, a non-bcrypt value) against a dummy setting,
// so an unknown store, a wrong key and an inactive store take comparable time.
// A key of the wrong length is hashed too, and never matches.
WOO_FUNCTION(woo_api_key_matches) {
    if (PG_ARGISNULL(0)) PG_RETURN_BOOL(false);
    KeyBuffer key = key_of(PG_GETARG_TEXT_PP(0));
    char *stored = PG_ARGISNULL(1) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(1));
    const bool stored_is_bcrypt = stored != nullptr && std::strncmp(stored, "$2b$", 4) == 0 && std::strlen(stored) == 60 &&
                                  stored[6] == '$' && stored[4] >= '0' && stored[4] <= '9' && stored[5] >= '0' &&
                                  stored[5] <= '9' && (stored[4] - '0') * 10 + (stored[5] - '0') <= kMaxBcryptCost;
    auto *data = static_cast<crypt_data *>(palloc0(sizeof(crypt_data)));
    const char *out = bcrypt(key.data, stored_is_bcrypt ? stored : dummy_setting(), data);
    const bool length_ok = woo::core::api_key_length_ok(std::string_view(key.data, key.len));
    wipe(&key);
    bool match = false;
    if (out != nullptr && stored_is_bcrypt && std::strlen(out) == 60)
        match = CRYPTO_memcmp(out, stored, 60) == 0;
    explicit_bzero(data, sizeof(crypt_data));
    pfree(data);
    PG_RETURN_BOOL(match && length_ok);
}

// woo.redact_emails(text) RETURNS text
WOO_FUNCTION(woo_redact_emails) {
    text *arg = PG_GETARG_TEXT_PP(0);
    const std::string out = woo::core::redact_emails_in_text(std::string_view(VARDATA_ANY(arg), VARSIZE_ANY_EXHDR(arg)));
    PG_RETURN_TEXT_P(to_text(out));
}

namespace {

woo::core::JsonValue value_of(const JsonbValue &v, bool recurse);

// JsonbIteratorNext (skipping nested containers) with an ERROR turned into PgError.
JsonbIteratorToken next_token(JsonbIterator **it, JsonbValue *v) {
    JsonbIteratorToken tok = WJB_DONE;
    woo::pg::pg_guard([&] { tok = JsonbIteratorNext(it, v, true); });
    return tok;
}

woo::core::JsonValue value_of_container(JsonbContainer *c, bool recurse) {
    woo::core::JsonValue out;
    if (JsonContainerIsObject(c)) {
        out.kind = woo::core::JsonValue::Kind::Object;
        return out;
    }
    out.kind = woo::core::JsonValue::Kind::Array;
    if (!recurse) return out;
    JsonbIterator *it = nullptr;
    woo::pg::pg_guard([&] { it = JsonbIteratorInit(c); });
    JsonbValue v;
    JsonbIteratorToken tok;
    while ((tok = next_token(&it, &v)) != WJB_DONE)
        if (tok == WJB_ELEM) out.elements.push_back(value_of(v, false));
    return out;
}

woo::core::JsonValue value_of(const JsonbValue &v, bool recurse) {
    woo::core::JsonValue out;
    switch (v.type) {
        case jbvNull: out.kind = woo::core::JsonValue::Kind::Null; break;
        case jbvBool: out.kind = woo::core::JsonValue::Kind::Bool; out.boolean = v.val.boolean; break;
        case jbvNumeric: out.kind = woo::core::JsonValue::Kind::Number; break;
        case jbvString:
            out.kind = woo::core::JsonValue::Kind::String;
            out.text.assign(v.val.string.val, v.val.string.len);
            break;
        case jbvBinary: return value_of_container(v.val.binary.data, recurse);
        default: out.kind = woo::core::JsonValue::Kind::Object; break;
    }
    return out;
}

}  // namespace

// woo._check_chart_config(config jsonb) RETURNS jsonb: the config, or ERROR.
// Only the members are read here (no PostgreSQL call can fail in the loop);
// the jsonb's text length is measured first, by PostgreSQL.
WOO_FUNCTION(woo_check_chart_config) {
    Jsonb *config = PG_GETARG_JSONB_P(0);
    if (!JB_ROOT_IS_OBJECT(config))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("chart_config: must be a JSON object")));
    char *as_text = JsonbToCString(nullptr, &config->root, VARSIZE(config));
    const std::size_t text_bytes = std::strlen(as_text);
    woo::core::JsonMembers members;
    if (text_bytes <= woo::core::kChartConfigMaxBytes) {
        JsonbIterator *it = nullptr;
        woo::pg::pg_guard([&] { it = JsonbIteratorInit(&config->root); });
        JsonbValue v;
        JsonbIteratorToken tok;
        std::string key;
        while ((tok = next_token(&it, &v)) != WJB_DONE) {
            if (tok == WJB_KEY) key.assign(v.val.string.val, v.val.string.len);
            else if (tok == WJB_VALUE) members.emplace_back(key, value_of(v, true));
        }
    }
    woo::core::check_chart_config(members, text_bytes);
    PG_RETURN_JSONB_P(config);
}
