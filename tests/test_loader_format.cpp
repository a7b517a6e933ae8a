// woo-load's printed numbers and durations (progress, ETA, messages).
#include "format.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

using namespace woo::load;

TEST(LoaderFormat, CommasEveryThreeDigits) {
    EXPECT_EQ(with_commas(0), "0");
    EXPECT_EQ(with_commas(999), "999");
    EXPECT_EQ(with_commas(1000), "1,000");
    EXPECT_EQ(with_commas(100000), "100,000");
    EXPECT_EQ(with_commas(1234567), "1,234,567");
    EXPECT_EQ(with_commas(std::numeric_limits<std::uint64_t>::max()), "18,446,744,073,709,551,615");
}

TEST(LoaderFormat, ClockRoundsToSecondsAndShowsHoursFromAnHour) {
    EXPECT_EQ(clock_text(0), "0:00");
    EXPECT_EQ(clock_text(59.4), "0:59");
    EXPECT_EQ(clock_text(59.5), "1:00");
    EXPECT_EQ(clock_text(75), "1:15");
    EXPECT_EQ(clock_text(3599.4), "59:59");
    EXPECT_EQ(clock_text(3599.5), "1:00:00");
    EXPECT_EQ(clock_text(3725), "1:02:05");
    EXPECT_EQ(clock_text(360000), "100:00:00");
}
