// Normalisation and hashing of e-mail addresses (extension/core/email.hpp).
// Expected digests were computed with coreutils' sha256sum, not with this code.
#include "core/email.hpp"

#include <gtest/gtest.h>

#include <string>

using woo::core::hash_email;
using woo::core::normalize_email;
using woo::core::sha256_hex;

namespace {
std::string hex_of(std::string_view s) {
    char out[64];
    sha256_hex(s, out);
    return std::string(out, 64);
}
}  // namespace

TEST(Sha256, KnownVectors) {
    EXPECT_EQ(hex_of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(hex_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hex_of("test@example.com"), "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b");
}

TEST(Sha256, RepeatedCallsReuseContextCorrectly) {
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(hex_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        EXPECT_EQ(hex_of("a@b"), "7508d8b5018ea640b85269861a101203f0c26900555268e930025dac844b0f35");
    }
}

TEST(NormalizeEmail, TrimsAsciiWhitespaceAndLowercases) {
    EXPECT_EQ(normalize_email("  Jane.Doe@Example.COM \t\r\n\v\f"), "jane.doe@example.com");
    EXPECT_EQ(normalize_email("\fA@B\v"), "a@b");
    // Inner whitespace is not touched; nor is a non-breaking space (not ASCII).
    EXPECT_EQ(normalize_email("a b@c"), "a b@c");
    EXPECT_EQ(normalize_email("\xc2\xa0" "a@b"), "\xc2\xa0" "a@b");
}

TEST(NormalizeEmail, EmptyAfterTrimmingIsEmpty) {
    EXPECT_EQ(normalize_email(""), "");
    EXPECT_EQ(normalize_email(" \t\r\n\v\f "), "");
}

TEST(NormalizeEmail, NonAsciiBytesAreLeftAlone) {
    EXPECT_EQ(normalize_email("\xc3\x89LODIE@Example.com"), "\xc3\x89lodie@example.com");  // ÉLODIE -> Élodie
    EXPECT_EQ(normalize_email("Jos\xc3\xa9@Ex\xc3\xa4mple.com"), "jos\xc3\xa9@ex\xc3\xa4mple.com");
}

TEST(NormalizeEmail, GmailCanonicalForm) {
    EXPECT_EQ(normalize_email("John.Smith+News@Gmail.com", true), "johnsmith@gmail.com");
    EXPECT_EQ(normalize_email("john.smith+a+b@googlemail.com", true), "johnsmith@gmail.com");
    EXPECT_EQ(normalize_email(" j.o.h.n@GOOGLEMAIL.COM ", true), "john@gmail.com");
    // Only the first '+' matters, dots after it are gone with it.
    EXPECT_EQ(normalize_email("a+b.c@gmail.com", true), "a@gmail.com");
    // Other domains, and look-alikes, are left as they are.
    EXPECT_EQ(normalize_email("john.smith+news@example.com", true), "john.smith+news@example.com");
    EXPECT_EQ(normalize_email("john.smith@gmail.com.evil", true), "john.smith@gmail.com.evil");
    EXPECT_EQ(normalize_email("john.smith@notgmail.com", true), "john.smith@notgmail.com");
    // The flag off leaves gmail addresses alone.
    EXPECT_EQ(normalize_email("John.Smith+News@Gmail.com", false), "john.smith+news@gmail.com");
    // The domain is after the LAST '@'.
    EXPECT_EQ(normalize_email("\"a@b\".c@gmail.com", true), "\"a@b\"c@gmail.com");
    // A local part that canonicalises to nothing keeps the plain normal form.
    EXPECT_EQ(normalize_email("+tag@gmail.com", true), "+tag@gmail.com");
    EXPECT_EQ(normalize_email("...@gmail.com", true), "...@gmail.com");
    // No '@' at all: plain normal form.
    EXPECT_EQ(normalize_email("Gmail.com", true), "gmail.com");
}

TEST(HashEmail, MatchesSha256OfNormalForm) {
    EXPECT_EQ(hash_email("test@example.com"), "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b");
    EXPECT_EQ(hash_email("  Jane.Doe@EXAMPLE.com\n"), "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d");
    EXPECT_EQ(hash_email("Jos\xc3\xa9@Ex\xc3\xa4mple.com"), "88a5fce066b185a5417601d971b4fca2b5e969d163bc0846426140956078d437");
    EXPECT_EQ(hash_email("\xc3\x89LODIE@Example.com"), "a859b6928109fc1e6d5691281cfc9cd47da581a184321187cddce7e3bdada9cd");
}

TEST(HashEmail, GmailCanonicalHashes) {
    const std::string canonical = "3586de92bb3636d0885a12eff961429a32e4ebd764b96f50d85d016f9338d586";  // johnsmith@gmail.com
    EXPECT_EQ(hash_email("John.Smith+News@Gmail.com", true), canonical);
    EXPECT_EQ(hash_email("johnsmith@googlemail.com", true), canonical);
    EXPECT_EQ(hash_email("john.smith+news@gmail.com", false),
              "7d466b3c904fbeadd0adad30b84c397ba3f36cea7aa5e2d48a544e85cf28ab9b");
}

TEST(HashEmail, EmptyHasNoHash) {
    EXPECT_EQ(hash_email(""), "");
    EXPECT_EQ(hash_email("   \t"), "");
    char scratch[8];
    char out[64] = {'x'};
    EXPECT_FALSE(hash_email(" ", false, scratch, out));
    EXPECT_EQ(out[0], 'x');  // untouched
}

TEST(HashEmail, LongInputs) {
    const std::string local(100000, 'A');
    const std::string expected_normal = std::string(100000, 'a') + "@example.com";
    EXPECT_EQ(normalize_email(" " + local + "@EXAMPLE.com "), expected_normal);
    EXPECT_EQ(hash_email(local + "@example.com"), hex_of(expected_normal));
}
