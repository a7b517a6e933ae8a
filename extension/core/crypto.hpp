// Thin RAII wrappers over OpenSSL 3 for the digests the extension needs.
// Pure C++: no PostgreSQL header may be included here.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

typedef struct evp_md_st EVP_MD;
typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace woo::core {

// SHA-256 with the algorithm fetched once and one context reused per process
// (a PostgreSQL backend is single-threaded). Fetching per call costs ~2x.
class Sha256 {
public:
    static Sha256 &instance();
    void digest(const void *data, std::size_t len, unsigned char out[32]);

    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;
    ~Sha256();

private:
    Sha256();
    EVP_MD *md_ = nullptr;
    EVP_MD_CTX *ctx_ = nullptr;
};

// Lowercase hex of `len` bytes into out[0 .. 2*len-1] (not NUL-terminated).
void hex_encode(const unsigned char *in, std::size_t len, char *out) noexcept;

}  // namespace woo::core

namespace woo::core {

// WooCommerce webhook check: `signature` (the X-WC-Webhook-Signature header)
// must be the base64 HMAC-SHA256 of the raw `body` under `secret`. Surrounding
// ASCII whitespace of the signature is ignored; the comparison is constant-time.
// Throws woo::core::Error only if OpenSSL fails.
bool verify_webhook_signature(std::string_view body, std::string_view signature, std::string_view secret);

// Base64 (standard alphabet, padded) of HMAC-SHA256(secret, body).
std::string webhook_signature(std::string_view body, std::string_view secret);

}  // namespace woo::core
