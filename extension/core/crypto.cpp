#include "core/crypto.hpp"

#include "core/error.hpp"

#include <openssl/err.h>
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
