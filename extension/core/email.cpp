#include "core/email.hpp"

#include "core/crypto.hpp"

#include <cstring>

namespace woo::core {
namespace {

constexpr bool is_ascii_space(unsigned char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Rewrites a lower-cased gmail/googlemail address in place; returns the new length.
std::size_t gmail_canonical_form(char *s, std::size_t n) noexcept {
    const void *at_ptr = nullptr;
    for (std::size_t i = n; i-- > 0;) {
        if (s[i] == '@') {
            at_ptr = s + i;
            break;
        }
    }
    if (at_ptr == nullptr) return n;
    const std::size_t at = static_cast<const char *>(at_ptr) - s;
    const std::string_view domain(s + at + 1, n - at - 1);
    if (domain != "gmail.com" && domain != "googlemail.com") return n;

    std::size_t w = 0;
    for (std::size_t r = 0; r < at; ++r) {
        if (s[r] == '+') break;
        if (s[r] != '.') s[w++] = s[r];
    }
    // A local part that canonicalises to nothing is not an address we can
    // improve on: keep the plain normal form.
    if (w == 0) return n;
    static constexpr char kGmail[] = "@gmail.com";
    std::memcpy(s + w, kGmail, sizeof kGmail - 1);
    return w + sizeof kGmail - 1;  // never longer than before: "@gmail.com" <= "@" + domain
}

}  // namespace

std::size_t normalize_email(std::string_view in, bool gmail_canonical, char *out) noexcept {
    std::size_t b = 0, e = in.size();
    while (b < e && is_ascii_space(static_cast<unsigned char>(in[b]))) ++b;
    while (e > b && is_ascii_space(static_cast<unsigned char>(in[e - 1]))) --e;
    const std::size_t n = e - b;
    for (std::size_t i = 0; i < n; ++i) out[i] = ascii_lower(in[b + i]);
    return (gmail_canonical && n > 0) ? gmail_canonical_form(out, n) : n;
}

std::string normalize_email(std::string_view in, bool gmail_canonical) {
    std::string out(in.size(), '\0');
    out.resize(normalize_email(in, gmail_canonical, out.data()));
    return out;
}

void sha256_hex(std::string_view data, char out[kSha256HexLength]) {
    unsigned char digest[32];
    Sha256::instance().digest(data.data(), data.size(), digest);
    hex_encode(digest, sizeof digest, out);
}

bool hash_email(std::string_view in, bool gmail_canonical, char *scratch, char out[kSha256HexLength]) {
    const std::size_t n = normalize_email(in, gmail_canonical, scratch);
    if (n == 0) return false;
    sha256_hex(std::string_view(scratch, n), out);
    return true;
}

std::string hash_email(std::string_view in, bool gmail_canonical) {
    std::string scratch(in.size(), '\0');
    char hex[kSha256HexLength];
    if (!hash_email(in, gmail_canonical, scratch.data(), hex)) return {};
    return std::string(hex, kSha256HexLength);
}

}  // namespace woo::core
