// Checks and conversions of WooCommerce field values: pure C++, no PostgreSQL.
//
// These decide whether a value is well-formed and produce the text PostgreSQL's
// own input functions (numeric_in, timestamp_in) then convert; they never
// compute money or dates themselves.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace woo::core {

// WooCommerce money: an optional '-', digits, optionally '.' and digits
// ("12.50", "-3.00", "0", ".5" is refused). "" is "no value" (SQL NULL).
enum class MoneyKind { Value, Empty, Invalid };
MoneyKind classify_money(std::string_view s) noexcept;

// WooCommerce datetimes: "YYYY-MM-DDTHH:MM:SS" with an optional fraction and
// an optional "Z" or "+00:00" (REST responses carry none; *_gmt fields are UTC).
// Checks the calendar too (month 1-12, day within the month, leap years,
// hour < 24, minute and second < 60).
bool is_wc_datetime(std::string_view s) noexcept;

// A whole number written as JSON/numeric text: an optional '-' and digits
// ("12", "-3", "007"). Anything else ("1.5", "1e3", "+1", "", "12abc", " 1")
// is NotInteger; a whole number outside [min, max] is OutOfRange, whatever its
// length (never wrapped: 2^64 + 1 is out of range, not 1).
enum class IntegerKind { Value, NotInteger, OutOfRange };
struct ParsedInteger {
    IntegerKind kind;
    std::int64_t value;  // set when kind == Value
};
ParsedInteger parse_integer_checked(std::string_view s, std::int64_t min, std::int64_t max) noexcept;

// The same, as a value or nullopt (not an integer, or out of range).
std::optional<std::int64_t> parse_integer(std::string_view s, std::int64_t min, std::int64_t max) noexcept;

// Decodes the HTML character references WordPress puts in names (esc_html):
// &amp; &lt; &gt; &quot; &apos; &#039; &nbsp; and any decimal &#NNN; or hex
// &#xHH; reference. Unknown or malformed references are kept as they are.
// Decoding never lengthens a string: the buffer form writes at most s.size()
// bytes into `out` and returns the decoded length.
std::string decode_html_entities(std::string_view s);
std::size_t decode_html_entities(std::string_view s, char *out) noexcept;

// True when `s` is or contains something shaped like an e-mail address
// (non-space characters on both sides of an '@'): such values are hashed
// before a rejected payload is stored.
bool contains_email(std::string_view s) noexcept;

// The one rule for every free text the extension stores or shows (names, chat,
// error texts, reject payloads): every e-mail-shaped word of `text` is replaced
// by "sha256:" + woo.hash_email of it. A word is a run of characters other than
// whitespace, control characters and <>()[]{},;"'`\ ; trailing '.', '!', '?'
// and ':' are not part of it. E-mail-shaped: contains_email(word); with
// dotted_domain (stored names and other columns, where "PACK@2" is a fine SKU)
// also a '.' inside the part after the '@' ("jane@example.com", not
// "jane@example"). A "%40" (a percent-encoded '@', as in a pasted URL) counts as
// '@': the word is hashed decoded. Returns `text` unchanged when it holds no
// such word. Throws woo::core::Error if OpenSSL fails.
std::string redact_emails_in_text(std::string_view text, bool dotted_domain = false);
bool is_email_word(std::string_view word, bool dotted_domain) noexcept;

}  // namespace woo::core
