// WooCommerce value checks (extension/core/values.hpp).
#include "core/values.hpp"

#include <gtest/gtest.h>

using namespace woo::core;

TEST(Money, AcceptsWooCommerceAmounts) {
    for (const char *s : {"0", "12", "12.50", "-3.00", "1000000.00", "0.005", "00.10"})
        EXPECT_EQ(classify_money(s), MoneyKind::Value) << s;
}

TEST(Money, EmptyIsNoValue) { EXPECT_EQ(classify_money(""), MoneyKind::Empty); }

TEST(Money, RefusesEverythingElse) {
    for (const char *s : {"12,50", "1,000.00", " 12.50", "12.50 ", "abc", "-", ".5", "5.", "1e3", "+5", "--1", "12.5.0", "$5", "NaN", "Infinity"})
        EXPECT_EQ(classify_money(s), MoneyKind::Invalid) << s;
}

TEST(Datetime, AcceptsRestFormats) {
    for (const char *s : {"2017-03-22T16:28:02", "2017-03-22T16:28:02.123", "2017-03-22T16:28:02Z",
                          "2017-03-22T16:28:02+00:00", "2024-02-29T00:00:00", "2000-02-29T23:59:59", "2017-03-22 16:28:02"})
        EXPECT_TRUE(is_wc_datetime(s)) << s;
}

TEST(Datetime, RefusesImpossibleDates) {
    for (const char *s : {"2024-13-45T00:00:00", "2023-02-29T00:00:00", "1900-02-29T00:00:00", "2017-04-31T00:00:00",
                          "2017-03-22T24:00:00", "2017-03-22T23:60:00", "2017-03-22T23:59:60", "2017-03-22",
                          "2017-03-22T16:28", "22-03-2017T16:28:02", "2017-03-22T16:28:02+02:00", "2017-03-22T16:28:02.",
                          "2017-03-22T16:28:02.1234567", "0000-01-01T00:00:00", "", "yesterday"})
        EXPECT_FALSE(is_wc_datetime(s)) << s;
}

TEST(Integer, ParsesWholeNumbersInRange) {
    EXPECT_EQ(parse_integer("727", 0, 2147483647), 727);
    EXPECT_EQ(parse_integer("-3", -10, 10), -3);
    EXPECT_EQ(parse_integer("2147483647", 0, 2147483647), 2147483647);
    EXPECT_FALSE(parse_integer("2147483648", 0, 2147483647));
    EXPECT_FALSE(parse_integer("-1", 0, 10));
    for (const char *s : {"", "-", "1.5", "1e3", "12abc", "abc", " 1", "99999999999999999999999"})
        EXPECT_FALSE(parse_integer(s, INT64_MIN / 2, INT64_MAX / 2)) << s;
}

TEST(Html, DecodesWordPressEntities) {
    EXPECT_EQ(decode_html_entities("Hoodies &amp; Sweaters"), "Hoodies & Sweaters");
    EXPECT_EQ(decode_html_entities("&lt;b&gt; &quot;x&quot; &#039;y&#039; &apos;z&apos;"), "<b> \"x\" 'y' 'z'");
    EXPECT_EQ(decode_html_entities("caf&#233; &#x263A; &#X263a;"), "caf\xC3\xA9 \xE2\x98\xBA \xE2\x98\xBA");
    EXPECT_EQ(decode_html_entities("a&nbsp;b &ndash; c"), "a\xC2\xA0" "b \xE2\x80\x93 c");
    EXPECT_EQ(decode_html_entities("&#128512;"), "\xF0\x9F\x98\x80");
}

TEST(Html, KeepsWhatIsNotAReference) {
    EXPECT_EQ(decode_html_entities("AT&T"), "AT&T");
    EXPECT_EQ(decode_html_entities("a & b"), "a & b");
    EXPECT_EQ(decode_html_entities("&unknown; &#; &#x; &#0; &#xD800; &#99999999;"), "&unknown; &#; &#x; &#0; &#xD800; &#99999999;");
    EXPECT_EQ(decode_html_entities("&amp;amp;"), "&amp;");  // decoded once, not recursively
    EXPECT_EQ(decode_html_entities(""), "");
    EXPECT_EQ(decode_html_entities("&"), "&");
}

TEST(Email, FindsAddressesInStrings) {
    EXPECT_TRUE(contains_email("jane@example.com"));
    EXPECT_TRUE(contains_email("Contact: jane@example.com please"));
    EXPECT_FALSE(contains_email("@handle"));
    EXPECT_FALSE(contains_email("price @ 5"));
    EXPECT_FALSE(contains_email("trailing@"));
    EXPECT_FALSE(contains_email("no at sign"));
}
