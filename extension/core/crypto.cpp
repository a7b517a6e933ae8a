#include "core/crypto.hpp"

#include "core/error.hpp"

#include <openssl/err.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <string>

namespace woo::core {
namespace {

[[noreturn]] void throw_openssl(const char *what) {
    char buf[256] = "unknown error";
    if (unsigned long code = ERR_get_error(); code != 0) ERR_error_string_n(code, buf, sizeof buf);
    ERR_clear_error();
    throw Error(sqlstate::kInternalError, std::string("OpenSSL ") + what + " failed: " + buf);
}

}  // namespace

Sha256::Sha256() {
    md_ = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md_ == nullptr) throw_openssl("EVP_MD_fetch(SHA256)");
    ctx_ = EVP_MD_CTX_new();
    if (ctx_ == nullptr) {
        EVP_MD_free(md_);
        throw_openssl("EVP_MD_CTX_new");
    }
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_free(md_);
}

Sha256 &Sha256::instance() {
    // Constructed on first use; a failed construction throws and is retried next call.
    static Sha256 sha;
    return sha;
}

void Sha256::digest(const void *data, std::size_t len, unsigned char out[32]) {
    unsigned int outlen = 0;
    if (EVP_DigestInit_ex2(ctx_, md_, nullptr) != 1 || EVP_DigestUpdate(ctx_, data, len) != 1 ||
        EVP_DigestFinal_ex(ctx_, out, &outlen) != 1 || outlen != 32)
        throw_openssl("SHA-256 digest");
}

void hex_encode(const unsigned char *in, std::size_t len, char *out) noexcept {
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < len; ++i) {
        out[2 * i] = kHex[in[i] >> 4];
        out[2 * i + 1] = kHex[in[i] & 0x0f];
    }
}

}  // namespace woo::core

namespace woo::core {

std::string webhook_signature(std::string_view body, std::string_view secret) {
    unsigned char mac[32];
    size_t mac_len = 0;
    if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                  reinterpret_cast<const unsigned char *>(body.data()), body.size(), mac, sizeof mac, &mac_len) == nullptr ||
        mac_len != sizeof mac)
        throw_openssl("HMAC-SHA256");
    unsigned char b64[45];
    const int n = EVP_EncodeBlock(b64, mac, sizeof mac);  // 44 characters, NUL-terminated
    return std::string(reinterpret_cast<char *>(b64), static_cast<size_t>(n));
}

bool verify_webhook_signature(std::string_view body, std::string_view signature, std::string_view secret) {
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
    while (!signature.empty() && is_space(signature.front())) signature.remove_prefix(1);
    while (!signature.empty() && is_space(signature.back())) signature.remove_suffix(1);
    const std::string expected = webhook_signature(body, secret);
    if (signature.size() != expected.size()) return false;  // the length (44) is public
    return CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) == 0;
}

}  // namespace woo::core
