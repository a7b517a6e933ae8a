// E-mail normalisation and hashing: pure C++, no PostgreSQL.
//
// Rules (the README's "Email hashing" section states them for users):
//  1. trim leading/trailing ASCII whitespace: space, \t, \n, \v, \f, \r;
//  2. ASCII lower-case the whole address (bytes >= 0x80 are left as they are);
//  3. optionally (gmail_canonical) for gmail.com / googlemail.com addresses:
//     drop everything from the first '+' of the local part, drop every '.' of
//     the local part, and write the domain as gmail.com;
//  4. an address that is empty after trimming has no normal form and no hash.
// The hash is the lowercase hex SHA-256 (OpenSSL) of the normalised bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace woo::core {

inline constexpr std::size_t kSha256HexLength = 64;

// Writes the normal form of `in` into `out` (which must have room for
// in.size() bytes: normalising never lengthens) and returns its length;
// 0 means "empty after trimming".
std::size_t normalize_email(std::string_view in, bool gmail_canonical, char *out) noexcept;

// Convenience form used by tests and non-hot code.
std::string normalize_email(std::string_view in, bool gmail_canonical = false);

// Lowercase hex SHA-256 of `data` into out[0..63] (not NUL-terminated).
// Throws woo::core::Error if OpenSSL fails.
void sha256_hex(std::string_view data, char out[kSha256HexLength]);

// Normalises then hashes. Returns false (and leaves `out` untouched) when the
// address is empty after trimming. `scratch` must have room for in.size() bytes.
bool hash_email(std::string_view in, bool gmail_canonical, char *scratch, char out[kSha256HexLength]);

// Convenience form: "" when empty after trimming.
std::string hash_email(std::string_view in, bool gmail_canonical = false);

}  // namespace woo::core
