// Webhook signatures (extension/core/crypto.hpp). Expected values: RFC 2104
// HMAC-SHA256 computed with Python's hmac module; the third is the well-known
// "quick brown fox" vector (hex f7bc83f4...).
#include "core/crypto.hpp"

#include <gtest/gtest.h>

using woo::core::verify_webhook_signature;
using woo::core::webhook_signature;

TEST(WebhookSignature, KnownVectors) {
    EXPECT_EQ(webhook_signature("{\"id\":1}", "s3cret"), "Y92rNNpYOOODVF6ckLQPdKTj2qvF3ZqNSaUYda1LJBg=");
    EXPECT_EQ(webhook_signature("", "key"), "XV0TlWPJW1lnub2ajJsjOp3ttFByeUzSMtwbdIMmB9A=");
    EXPECT_EQ(webhook_signature("The quick brown fox jumps over the lazy dog", "key"),
              "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=");
}

TEST(WebhookSignature, Verifies) {
    EXPECT_TRUE(verify_webhook_signature("{\"id\":1}", "Y92rNNpYOOODVF6ckLQPdKTj2qvF3ZqNSaUYda1LJBg=", "s3cret"));
    EXPECT_TRUE(verify_webhook_signature("{\"id\":1}", " Y92rNNpYOOODVF6ckLQPdKTj2qvF3ZqNSaUYda1LJBg=\r\n", "s3cret"));
}

TEST(WebhookSignature, RefusesAnyDifference) {
    const char *good = "Y92rNNpYOOODVF6ckLQPdKTj2qvF3ZqNSaUYda1LJBg=";
    EXPECT_FALSE(verify_webhook_signature("{\"id\":2}", good, "s3cret"));            // body changed
    EXPECT_FALSE(verify_webhook_signature("{\"id\":1} ", good, "s3cret"));           // one byte more
    EXPECT_FALSE(verify_webhook_signature("{\"id\":1}", good, "s3cret2"));           // wrong secret
    EXPECT_FALSE(verify_webhook_signature("{\"id\":1}", "Y92rNNpYOOODVF6ckLQPdKTj2qvF3ZqNSaUYda1LJBh=", "s3cret"));
    EXPECT_FALSE(verify_webhook_signature("{\"id\":1}", "Y92rNNpYOOODVF6ckLQPdKTj2qvF3ZqNSaUYda1LJBg", "s3cret"));  // no padding
    EXPECT_FALSE(verify_webhook_signature("{\"id\":1}", "", "s3cret"));
    EXPECT_FALSE(verify_webhook_signature("{\"id\":1}", "y92rnnpyooodvf6cklqpdktj2qvf3zqnsauyda1ljbg=", "s3cret"));  // case matters
}
