#include "core/values.hpp"

#include "core/email.hpp"

#include <cstdint>
#include <cstring>

namespace woo::core {
namespace {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Reads exactly n digits at s[pos]; returns -1 when they are not all digits.
int read_digits(std::string_view s, std::size_t pos, std::size_t n) noexcept {
    if (pos + n > s.size()) return -1;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!is_digit(s[pos + i])) return -1;
        v = v * 10 + (s[pos + i] - '0');
    }
    return v;
}

constexpr bool is_leap(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) noexcept {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Writes the UTF-8 form of cp at out; returns its length (1 to 4).
std::size_t put_utf8(char *out, std::uint32_t cp) noexcept {
    if (cp < 0x80) {
        out[0] = static_cast<char>(cp);
        return 1;
    }
    if (cp < 0x800) {
        out[0] = static_cast<char>(0xC0 | (cp >> 6));
        out[1] = static_cast<char>(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = static_cast<char>(0xE0 | (cp >> 12));
        out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out[2] = static_cast<char>(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = static_cast<char>(0xF0 | (cp >> 18));
    out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[3] = static_cast<char>(0x80 | (cp & 0x3F));
    return 4;
}

// Decodes the reference starting at s[0] == '&' into out; returns the length of
// the reference (0 if none) and sets *written. A reference is never shorter
// than what it decodes to ("&#128512;" is 9 bytes, its UTF-8 4).
std::size_t decode_reference(std::string_view s, char *out, std::size_t *written) noexcept {
    const std::size_t semi = s.find(';');
    if (semi == std::string_view::npos || semi < 2 || semi > 10) return 0;
    const std::string_view name = s.substr(1, semi - 1);
    if (name[0] == '#') {
        const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
        const std::string_view digits = name.substr(hex ? 2 : 1);
        if (digits.empty()) return 0;
        std::uint32_t cp = 0;
        for (char c : digits) {
            int d;
            if (is_digit(c)) d = c - '0';
            else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
            else return 0;
            cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
            if (cp > 0x10FFFF) return 0;
        }
        // NUL and UTF-16 surrogates are not characters PostgreSQL text can hold.
        if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        *written = put_utf8(out, cp);
        return semi + 1;
    }
    static constexpr struct {
        const char *name;
        const char *text;
    } kNamed[] = {{"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", "\xC2\xA0"},
                  {"ndash", "\xE2\x80\x93"}, {"mdash", "\xE2\x80\x94"}, {"hellip", "\xE2\x80\xA6"},
                  {"rsquo", "\xE2\x80\x99"}, {"lsquo", "\xE2\x80\x98"}, {"rdquo", "\xE2\x80\x9D"},
                  {"ldquo", "\xE2\x80\x9C"}, {"euro", "\xE2\x82\xAC"}, {"pound", "\xC2\xA3"}, {"copy", "\xC2\xA9"},
                  {"reg", "\xC2\xAE"}, {"trade", "\xE2\x84\xA2"}};
    for (const auto &entity : kNamed) {
        if (name == entity.name) {
            *written = std::strlen(entity.text);
            std::memcpy(out, entity.text, *written);
            return semi + 1;
        }
    }
    return 0;
}

}  // namespace

MoneyKind classify_money(std::string_view s) noexcept {
    if (s.empty()) return MoneyKind::Empty;
    std::size_t i = (s[0] == '-') ? 1 : 0;
    const std::size_t int_start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == int_start) return MoneyKind::Invalid;
    if (i == s.size()) return MoneyKind::Value;
    if (s[i] != '.') return MoneyKind::Invalid;
    const std::size_t frac_start = ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
    return (i == s.size() && i > frac_start) ? MoneyKind::Value : MoneyKind::Invalid;
}

bool is_wc_datetime(std::string_view s) noexcept {
    // YYYY-MM-DDTHH:MM:SS
    if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        return false;
    const int y = read_digits(s, 0, 4), mo = read_digits(s, 5, 2), d = read_digits(s, 8, 2);
    const int h = read_digits(s, 11, 2), mi = read_digits(s, 14, 2), sec = read_digits(s, 17, 2);
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return false;
    if (d > days_in_month(y, mo)) return false;
    std::size_t i = 19;
    if (i < s.size() && s[i] == '.') {
        const std::size_t start = ++i;
        while (i < s.size() && is_digit(s[i])) ++i;
        if (i == start || i - start > 6) return false;
    }
    const std::string_view zone = s.substr(i);
    return zone.empty() || zone == "Z" || zone == "+00:00";
}

ParsedInteger parse_integer_checked(std::string_view s, std::int64_t min, std::int64_t max) noexcept {
    const bool neg = !s.empty() && s[0] == '-';
    const std::size_t first = neg ? 1 : 0;
    if (first == s.size()) return {IntegerKind::NotInteger, 0};
    // The magnitude, saturated: once it exceeds 2^64 - 1 the digits are still
    // checked, but the number is out of every int64 range.
    constexpr std::uint64_t kMax = ~std::uint64_t{0};
    std::uint64_t v = 0;
    bool huge = false;
    for (std::size_t i = first; i < s.size(); ++i) {
        if (!is_digit(s[i])) return {IntegerKind::NotInteger, 0};
        const auto d = static_cast<std::uint64_t>(s[i] - '0');
        if (huge || v > (kMax - d) / 10) huge = true;
        else v = v * 10 + d;
    }
    // |INT64_MIN| = 2^63 is representable as a magnitude, INT64_MAX + 1 as a value is not.
    constexpr std::uint64_t kNegLimit = std::uint64_t{1} << 63;
    if (huge || (neg ? v > kNegLimit : v > static_cast<std::uint64_t>(INT64_MAX))) return {IntegerKind::OutOfRange, 0};
    const std::int64_t value = neg ? (v == kNegLimit ? INT64_MIN : -static_cast<std::int64_t>(v)) : static_cast<std::int64_t>(v);
    if (value < min || value > max) return {IntegerKind::OutOfRange, 0};
    return {IntegerKind::Value, value};
}

std::optional<std::int64_t> parse_integer(std::string_view s, std::int64_t min, std::int64_t max) noexcept {
    const ParsedInteger p = parse_integer_checked(s, min, max);
    if (p.kind != IntegerKind::Value) return std::nullopt;
    return p.value;
}

std::size_t decode_html_entities(std::string_view s, char *out) noexcept {
    std::size_t w = 0;
    for (std::size_t i = 0; i < s.size();) {
        if (s[i] == '&') {
            std::size_t written = 0;
            if (const std::size_t n = decode_reference(s.substr(i), out + w, &written); n > 0) {
                i += n;
                w += written;
                continue;
            }
        }
        out[w++] = s[i++];
    }
    return w;
}

std::string decode_html_entities(std::string_view s) {
    std::string out(s.size(), '\0');
    out.resize(decode_html_entities(s, out.data()));
    return out;
}

bool contains_email(std::string_view s) noexcept {
    for (std::size_t at = s.find('@'); at != std::string_view::npos; at = s.find('@', at + 1)) {
        const bool before = at > 0 && s[at - 1] != ' ' && s[at - 1] != '@';
        const bool after = at + 1 < s.size() && s[at + 1] != ' ' && s[at + 1] != '@';
        if (before && after) return true;
    }
    return false;
}

namespace {
bool is_word_break(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f || std::strchr("<>()[]{},;\"'`\\", c) != nullptr;
}
bool is_trailing_punct(char c) { return c == '.' || c == '!' || c == '?' || c == ':'; }

// `word` with every "%40" (a percent-encoded '@', as in a pasted URL) decoded.
std::string decode_at_signs(std::string_view word) {
    std::string out;
    for (std::size_t i = 0; i < word.size(); ++i) {
        if (word.compare(i, 3, "%40") == 0) {
            out += '@';
            i += 2;
        } else {
            out += word[i];
        }
    }
    return out;
}
}  // namespace

bool is_email_word(std::string_view word, bool dotted_domain) noexcept {
    if (!contains_email(word)) return false;
    if (!dotted_domain) return true;
    for (std::size_t at = word.find('@'); at != std::string_view::npos; at = word.find('@', at + 1)) {
        if (at == 0) continue;
        const std::string_view domain = word.substr(at + 1, word.find('@', at + 1) - (at + 1));
        const std::size_t dot = domain.find('.');
        if (dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size()) return true;
    }
    return false;
}

std::string redact_emails_in_text(std::string_view text, bool dotted_domain) {
    if (text.find('@') == std::string_view::npos && text.find("%40") == std::string_view::npos) return std::string(text);
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (is_word_break(text[i])) {
            out += text[i++];
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && !is_word_break(text[end])) ++end;
        std::size_t word_end = end;
        while (word_end > i && is_trailing_punct(text[word_end - 1])) --word_end;
        const std::string_view word = text.substr(i, word_end - i);
        const std::string decoded = word.find("%40") == std::string_view::npos ? std::string() : decode_at_signs(word);
        if (is_email_word(word, dotted_domain) || (!decoded.empty() && is_email_word(decoded, dotted_domain))) {
            out += "sha256:";
            out += hash_email(decoded.empty() ? word : std::string_view(decoded), false);
            out.append(text.substr(word_end, end - word_end));
        } else {
            out.append(text.substr(i, end - i));
        }
        i = end;
    }
    return out;
}

}  // namespace woo::core
