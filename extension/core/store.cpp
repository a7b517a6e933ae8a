// Store URL, API key, chart-config and chat e-mail rules (extension/core/store.hpp).
#include "core/store.hpp"

#include "core/email.hpp"
#include "core/error.hpp"
#include "core/values.hpp"

#include <algorithm>
#include <cstring>

namespace woo::core {

namespace {

[[noreturn]] void bad(const char *field, const std::string &what) {
    throw Error(sqlstate::kInvalidParameterValue, std::string(field) + ": " + what);
}

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// RFC 3986 path characters (pchar plus '/'), '%' checked separately.
bool is_path_char(char c) {
    return is_alpha(c) || is_digit(c) || std::strchr("-._~!$&'()*+,;=:@/", c) != nullptr;
}

}  // namespace

std::string normalize_store_url(std::string_view url) {
    constexpr const char *kField = "store_url";
    if (url.size() > kStoreUrlMaxBytes)
        bad(kField, "must be at most " + std::to_string(kStoreUrlMaxBytes) + " bytes, not " + std::to_string(url.size()));
    for (const char c : url) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) bad(kField, "must not contain whitespace or control characters");
        if (u >= 0x80) bad(kField, "must be ASCII (write the host in its punycode form, percent-encode the path)");
    }
    const std::size_t sep = url.find("://");
    if (sep == std::string_view::npos) bad(kField, "must be an absolute http:// or https:// URL");
    std::string scheme(url.substr(0, sep));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), lower);
    if (scheme != "http" && scheme != "https") bad(kField, "scheme must be http or https, not \"" + redact_emails_in_text(scheme) + "\"");
    std::string_view rest = url.substr(sep + 3);
    if (rest.find_first_of("?#") != std::string_view::npos) bad(kField, "must not have a query (?) or a fragment (#)");

    const std::size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    if (authority.find('@') != std::string_view::npos) bad(kField, "must not carry credentials (user@ or user:password@)");

    // host [":" port]; an IPv6 literal is bracketed.
    std::string_view host = authority, port;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) bad(kField, "unterminated IPv6 address");
        host = authority.substr(0, close + 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') bad(kField, "unexpected characters after the IPv6 address");
            port = after.substr(1);
            if (port.empty()) bad(kField, "empty port");
        }
        for (const char c : host.substr(1, host.size() - 2))
            if (!is_hex(c) && c != ':' && c != '.') bad(kField, "malformed IPv6 address");
        if (host.size() < 4) bad(kField, "malformed IPv6 address");
    } else {
        const std::size_t colon = authority.find(':');
        if (colon != std::string_view::npos) {
            host = authority.substr(0, colon);
            port = authority.substr(colon + 1);
            if (port.empty()) bad(kField, "empty port");
        }
        while (!host.empty() && host.back() == '.') host.remove_suffix(1);
        if (host.empty()) bad(kField, "has no host");
        for (const char c : host)
            if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.') bad(kField, "host may contain only letters, digits, '-' and '.'");
        if (host.find("..") != std::string_view::npos || host.front() == '.' || host.front() == '-')
            bad(kField, "malformed host");
    }
    std::string out = scheme + "://";
    for (const char c : host) out += lower(c);
    if (!port.empty()) {
        const auto n = parse_integer(port, 1, 65535);
        if (!n || port.front() == '0') bad(kField, "port must be a number from 1 to 65535");
        const bool is_default = (scheme == "http" && *n == 80) || (scheme == "https" && *n == 443);
        if (!is_default) out += ":" + std::to_string(*n);
    }
    for (std::size_t i = 0; i < path.size(); ++i) {
        const char c = path[i];
        if (c == '%') {
            if (i + 2 >= path.size() || !is_hex(path[i + 1]) || !is_hex(path[i + 2]))
                bad(kField, "malformed percent-encoding in the path");
        } else if (!is_path_char(c)) {
            bad(kField, std::string("character '") + c + "' is not allowed in the path");
        }
    }
    if (redact_emails_in_text(path) != path) bad(kField, "must not contain an e-mail address (it would be stored in clear)");
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    // One spelling per site (RFC 3986 6.2.2): percent-encoded unreserved
    // characters decoded, other percent-encodings upper-cased; a "." or ".."
    // segment (decoded) or an empty one would be another spelling: refused.
    const auto hex_value = [](char c) { return is_digit(c) ? c - '0' : lower(c) - 'a' + 10; };
    const auto upper = [](char c) { return (c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c; };
    std::string norm;
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (path[i] != '%') {
            norm += path[i];
            continue;
        }
        const char d = static_cast<char>(hex_value(path[i + 1]) * 16 + hex_value(path[i + 2]));
        if (is_alpha(d) || is_digit(d) || d == '-' || d == '.' || d == '_' || d == '~') {
            norm += d;
        } else {
            norm += '%';
            norm += upper(path[i + 1]);
            norm += upper(path[i + 2]);
        }
        i += 2;
    }
    for (std::size_t start = 1; start <= norm.size(); ) {  // norm is empty or starts with '/'
        std::size_t end = norm.find('/', start);
        if (end == std::string::npos) end = norm.size();
        const std::string_view seg = std::string_view(norm).substr(start, end - start);
        if (seg.empty() || seg == "." || seg == "..") bad(kField, "a path segment must not be empty, \".\" or \"..\"");
        start = end + 1;
    }
    out.append(norm);
    return out;
}

bool api_key_length_ok(std::string_view key) noexcept {
    return key.size() >= kApiKeyMinBytes && key.size() <= kApiKeyMaxBytes;
}

void check_api_key(std::string_view key, const char *field) {
    if (!api_key_length_ok(key))
        bad(field, "must be " + std::to_string(kApiKeyMinBytes) + " to " + std::to_string(kApiKeyMaxBytes) +
                       " bytes long, not " + std::to_string(key.size()) +
                       (key.size() > kApiKeyMaxBytes ? " (bcrypt would ignore every byte after the 72nd)" : ""));
}

// ---- chart_config --------------------------------------------------------------------

const std::vector<std::string> &chart_types() {
    static const std::vector<std::string> types = {"area", "bar", "donut", "line", "number", "pie", "scatter", "table"};
    return types;
}

namespace {

constexpr std::size_t kLabelMaxBytes = 200;
constexpr std::size_t kColumnMaxBytes = 63;
constexpr std::size_t kMaxSeries = 10;
constexpr std::size_t kMaxColors = 20;

const char *kind_name(JsonValue::Kind k) {
    switch (k) {
        case JsonValue::Kind::Null: return "null";
        case JsonValue::Kind::Bool: return "a boolean";
        case JsonValue::Kind::Number: return "a number";
        case JsonValue::Kind::String: return "a string";
        case JsonValue::Kind::Array: return "an array";
        case JsonValue::Kind::Object: return "an object";
    }
    return "?";
}

// At most `max` bytes of `s` for an error text: cut on a UTF-8 character boundary
// (never half a character), control characters shown as '?', e-mail addresses
// as their sha256: hash (redact_emails_in_text).
std::string shown(const std::string &s, std::size_t max) {
    std::size_t n = std::min(s.size(), max);
    if (n < s.size())
        while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    std::string out = s.substr(0, n);
    for (char &c : out)
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
    return redact_emails_in_text(out);
}

[[noreturn]] void bad_option(const std::string &key, const std::string &what) {
    throw Error(sqlstate::kInvalidParameterValue, "chart_config." + key + ": " + what);
}

void want_kind(const std::string &key, const JsonValue &v, JsonValue::Kind k, const char *what) {
    if (v.kind != k) bad_option(key, std::string("must be ") + what + ", not " + kind_name(v.kind));
}

void check_column(const std::string &key, const JsonValue &v) {
    want_kind(key, v, JsonValue::Kind::String, "a column name (a string)");
    const std::string &s = v.text;
    bool ok = !s.empty() && s.size() <= kColumnMaxBytes;
    for (const char c : s) ok = ok && (is_alpha(c) || is_digit(c) || c == '_' || c == ' ' || c == '.' || c == '-');
    if (!ok) bad_option(key, "a column name is 1 to 63 letters, digits, '_', ' ', '.' or '-'");
}

void check_label(const std::string &key, const JsonValue &v) {
    want_kind(key, v, JsonValue::Kind::String, "a string");
    if (v.text.size() > kLabelMaxBytes) bad_option(key, "must be at most 200 bytes");
    if (v.text.find_first_of("<>") != std::string::npos) bad_option(key, "must not contain '<' or '>' (plain text only)");
    if (redact_emails_in_text(v.text) != v.text) bad_option(key, "must not contain an e-mail address (it would be stored in clear)");
}

bool is_color(const std::string &s) {
    if ((s.size() != 4 && s.size() != 7) || s[0] != '#') return false;
    return std::all_of(s.begin() + 1, s.end(), is_hex);
}

}  // namespace

void check_chart_config(const JsonMembers &members, std::size_t text_bytes) {
    if (text_bytes > kChartConfigMaxBytes)
        throw Error(sqlstate::kProgramLimitExceeded, "chart_config: must be at most " + std::to_string(kChartConfigMaxBytes) +
                                                         " bytes as JSON text, not " + std::to_string(text_bytes));
    bool has_type = false;
    for (const auto &[key, v] : members) {
        if (key == "type") {
            want_kind(key, v, JsonValue::Kind::String, "a string");
            const auto &types = chart_types();
            if (std::find(types.begin(), types.end(), v.text) == types.end()) {
                std::string list;
                for (const auto &t : types) list += (list.empty() ? "" : ", ") + t;
                bad_option(key, "\"" + shown(v.text, 40) + "\" is not a chart type (" + list + ")");
            }
            has_type = true;
        } else if (key == "x" || key == "series") {
            check_column(key, v);
        } else if (key == "y") {
            if (v.kind == JsonValue::Kind::Array) {
                if (v.elements.empty() || v.elements.size() > kMaxSeries) bad_option(key, "must list 1 to 10 column names");
                for (const auto &e : v.elements) check_column(key, e);
            } else {
                check_column(key, v);
            }
        } else if (key == "x_label" || key == "y_label") {
            check_label(key, v);
        } else if (key == "stacked" || key == "legend") {
            want_kind(key, v, JsonValue::Kind::Bool, "a boolean");
        } else if (key == "colors") {
            want_kind(key, v, JsonValue::Kind::Array, "an array of colours");
            if (v.elements.size() > kMaxColors) bad_option(key, "must list at most 20 colours");
            for (const auto &e : v.elements)
                if (e.kind != JsonValue::Kind::String || !is_color(e.text)) bad_option(key, "each colour is \"#rgb\" or \"#rrggbb\"");
        } else if (key == "sort") {
            if (v.kind != JsonValue::Kind::String || (v.text != "asc" && v.text != "desc")) bad_option(key, "must be \"asc\" or \"desc\"");
        } else {
            throw Error(sqlstate::kInvalidParameterValue,
                        "chart_config: unknown option \"" + shown(key, 40) +
                            "\" (allowed: type, x, y, series, x_label, y_label, stacked, legend, colors, sort)");
        }
    }
    if (!has_type) throw Error(sqlstate::kInvalidParameterValue, "chart_config.type: is required");
}

}  // namespace woo::core
