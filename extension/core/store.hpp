// Rules of the store functions that know no PostgreSQL: the store URL's normal
// form, the API key's length, the declarative chart options, and e-mail
// addresses inside free text (chat messages). Each check throws
// woo::core::Error with a SQLSTATE and a message that names the field; no
// message ever quotes an API key.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace woo::core {

// ---- stores ------------------------------------------------------------------------

inline constexpr std::size_t kStoreUrlMaxBytes = 500;  // stores.store_url varchar(500)

// The one spelling of a store's site, so that UNIQUE (store_url) means one store
// per site: scheme (http or https only) and host ASCII-lower-cased, the default
// port (:80 for http, :443 for https) and a trailing dot of the host dropped,
// the path kept as it is but without trailing slashes ("https://Shop.Example/"
// and "https://shop.example" are the same site; "https://shop.example/eu" is
// another). Refused (22023, field store_url): another scheme, credentials
// (user@ or user:password@), a query or fragment, an empty or non-ASCII host
// (use its punycode form), a bad port, whitespace or control characters, and
// more than 500 bytes.
std::string normalize_store_url(std::string_view url);

// bcrypt reads at most 72 bytes of a key (the rest would be silently ignored),
// and a key shorter than 32 bytes is too easy to guess.
inline constexpr std::size_t kApiKeyMinBytes = 32;
inline constexpr std::size_t kApiKeyMaxBytes = 72;

// Throws 22023 naming `field` (api_key or new_key) when the key's length is
// outside [32, 72] bytes. The message gives the length, never the key.
void check_api_key(std::string_view key, const char *field);
bool api_key_length_ok(std::string_view key) noexcept;

// ---- saved charts ------------------------------------------------------------------

// A JSON value as the chart-config check sees it (the backend converts jsonb).
struct JsonValue {
    enum class Kind { Null, Bool, Number, String, Array, Object };
    Kind kind = Kind::Null;
    std::string text;                 // String: the string; Number: its text
    bool boolean = false;             // Bool
    std::vector<JsonValue> elements;  // Array elements (Object members are not inspected)
};
using JsonMembers = std::vector<std::pair<std::string, JsonValue>>;

inline constexpr std::size_t kChartConfigMaxBytes = 4096;  // of the jsonb's text form

// The chart types a dashboard draws (README, "Saved charts").
const std::vector<std::string> &chart_types();

// Checks saved_charts.chart_config: a JSON object of declarative options only
// (README table): "type" (required, one of chart_types()), "x" and "series"
// (a column name), "y" (a column name or a non-empty array of at most 10),
// "x_label", "y_label" (text up to 200 bytes, no '<' or '>'), "stacked" and
// "legend" (booleans), "colors" (up to 20 "#rgb"/"#rrggbb" strings), "sort"
// ("asc" or "desc"). Column names are 1-63 bytes of letters, digits, '_', ' '
// '.' and '-'. Any other key, type or value is refused (22023, naming
// chart_config.<key>); so is a config whose text exceeds 4096 bytes (54000).
void check_chart_config(const JsonMembers &members, std::size_t text_bytes);

// ---- conversations -----------------------------------------------------------------


}  // namespace woo::core
