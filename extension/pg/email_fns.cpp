// SQL functions woo.hash_email and woo.normalize_email (see sql/pg_woocommerce.sql).
#include "pg/boundary.hpp"

extern "C" {
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
}

#include "core/email.hpp"

#include <cstring>
#include <string_view>

namespace {

constexpr std::size_t kStackScratch = 256;

// The normal form never exceeds the input; small inputs use the stack.
char *scratch_for(std::size_t n, char *stack_buffer) {
    return n <= kStackScratch ? stack_buffer : static_cast<char *>(palloc(n));
}

bool gmail_flag(FunctionCallInfo fcinfo) { return PG_NARGS() > 1 && PG_GETARG_BOOL(1); }

}  // namespace

// woo.hash_email(email text [, gmail_canonical boolean]) RETURNS text
WOO_FUNCTION(woo_hash_email) {
    text *arg = PG_GETARG_TEXT_PP(0);
    const char *data = VARDATA_ANY(arg);
    std::size_t len = VARSIZE_ANY_EXHDR(arg);
    // The hash is defined over UTF-8 bytes whatever the database encoding.
    if (GetDatabaseEncoding() != PG_UTF8) {
        data = pg_server_to_any(data, static_cast<int>(len), PG_UTF8);
        len = std::strlen(data);
    }
    char stack_buffer[kStackScratch];
    char hex[woo::core::kSha256HexLength];
    if (!woo::core::hash_email(std::string_view(data, len), gmail_flag(fcinfo), scratch_for(len, stack_buffer), hex))
        PG_RETURN_NULL();
    PG_RETURN_TEXT_P(cstring_to_text_with_len(hex, sizeof hex));
}

// woo.normalize_email(email text [, gmail_canonical boolean]) RETURNS text
WOO_FUNCTION(woo_normalize_email) {
    text *arg = PG_GETARG_TEXT_PP(0);
    const std::size_t len = VARSIZE_ANY_EXHDR(arg);
    text *result = static_cast<text *>(palloc(VARHDRSZ + len));
    const std::size_t n = woo::core::normalize_email(std::string_view(VARDATA_ANY(arg), len), gmail_flag(fcinfo), VARDATA(result));
    if (n == 0) PG_RETURN_NULL();
    SET_VARSIZE(result, VARHDRSZ + n);
    PG_RETURN_TEXT_P(result);
}
