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

// A whole number in [min, max] written as JSON/numeric text ("12", "-3");
// nullopt for anything else ("1.5", "1e3", "", "12abc").
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

}  // namespace woo::core
