// woo-load's retry rules: which SQLSTATEs are retried, reconnected or final.
#include "retry.hpp"

#include <gtest/gtest.h>

using namespace woo::load;

TEST(LoaderRetry, ConnectionLost) {
    EXPECT_EQ(classify_failure(true, "22P02", nullptr), Failure::Connection);  // the status wins
    EXPECT_EQ(classify_failure(false, nullptr, nullptr), Failure::Connection);  // no SQLSTATE: client side
    for (const char *s : {"08000", "08006", "08P01", "57P01", "57P02", "57P03"})
        EXPECT_EQ(classify_failure(false, s, nullptr), Failure::Connection) << s;
}

TEST(LoaderRetry, TransientRetried) {
    for (const char *s : {"40001", "40P01", "55P03"}) EXPECT_EQ(classify_failure(false, s, nullptr), Failure::Transient) << s;
    EXPECT_EQ(classify_failure(false, "23505", "customers_store_id_wc_customer_id_key"), Failure::Transient);
}

TEST(LoaderRetry, CommittedCheckpointIsALostConnection) {
    EXPECT_EQ(classify_failure(false, "23505", "load_checkpoints_pkey"), Failure::Connection);
}

TEST(LoaderRetry, EverythingElseIsFinal) {
    for (const char *s : {"22P02", "22003", "23503", "42501", "53200", "57014", "XX000", "40002"})
        EXPECT_EQ(classify_failure(false, s, nullptr), Failure::Permanent) << s;
    EXPECT_EQ(classify_failure(false, "23505", nullptr), Failure::Permanent);
    EXPECT_EQ(classify_failure(false, "23505", "orders_store_id_wc_order_id_key"), Failure::Permanent);
}
