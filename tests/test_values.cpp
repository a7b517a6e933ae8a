// WooCommerce value checks (extension/core/values.hpp).
#include "core/email.hpp"
#include "core/values.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

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

// Every boundary: an integer is never wrapped onto another value.
TEST(IntegerChecked, Int32Boundaries) {
    const std::int64_t lo = INT32_MIN, hi = INT32_MAX;
    EXPECT_EQ(parse_integer_checked("2147483647", lo, hi).value, 2147483647);
    EXPECT_EQ(parse_integer_checked("-2147483648", lo, hi).value, INT32_MIN);
    EXPECT_EQ(parse_integer_checked("2147483648", lo, hi).kind, IntegerKind::OutOfRange);   // 2^31
    EXPECT_EQ(parse_integer_checked("-2147483649", lo, hi).kind, IntegerKind::OutOfRange);  // -2^31 - 1
    EXPECT_EQ(parse_integer_checked("4294967296", lo, hi).kind, IntegerKind::OutOfRange);   // 2^32
    EXPECT_EQ(parse_integer_checked("4294967297", 0, hi).kind, IntegerKind::OutOfRange);    // 2^32 + 1 (not 1)
}

TEST(IntegerChecked, Int64Boundaries) {
    EXPECT_EQ(parse_integer_checked("9223372036854775807", INT64_MIN, INT64_MAX).value, INT64_MAX);
    EXPECT_EQ(parse_integer_checked("-9223372036854775808", INT64_MIN, INT64_MAX).value, INT64_MIN);
    EXPECT_EQ(parse_integer_checked("9223372036854775808", INT64_MIN, INT64_MAX).kind, IntegerKind::OutOfRange);   // 2^63
    EXPECT_EQ(parse_integer_checked("-9223372036854775809", INT64_MIN, INT64_MAX).kind, IntegerKind::OutOfRange);  // -2^63 - 1
    EXPECT_EQ(parse_integer_checked("4611686018427387905", INT64_MIN, INT64_MAX).value, 4611686018427387905);       // 2^62 + 1
}

TEST(IntegerChecked, BeyondSixtyFourBitsNeverWraps) {
    const std::int64_t hi = INT32_MAX;
    // 2^64 + 424242 used to wrap to 424242; 2^64 + 1 to 1; -2^64 - 1 to -1.
    for (const char *s : {"18446744073709975858", "18446744073709551617", "18446744073709551616", "18446744073709551615",
                          "36893488147419103233", "99999999999999999999", "184467440737095516160000", "000018446744073709551617"}) {
        EXPECT_EQ(parse_integer_checked(s, 0, hi).kind, IntegerKind::OutOfRange) << s;
        EXPECT_EQ(parse_integer_checked(s, INT64_MIN, INT64_MAX).kind, IntegerKind::OutOfRange) << s;
        EXPECT_FALSE(parse_integer(s, 0, hi)) << s;
    }
    EXPECT_EQ(parse_integer_checked("-18446744073709551617", INT32_MIN, hi).kind, IntegerKind::OutOfRange);
    EXPECT_EQ(parse_integer_checked("-18446744073709551617", INT64_MIN, INT64_MAX).kind, IntegerKind::OutOfRange);
    EXPECT_EQ(parse_integer_checked(std::string(400, '9'), INT64_MIN, INT64_MAX).kind, IntegerKind::OutOfRange);
    EXPECT_EQ(parse_integer_checked("1" + std::string(400, '0'), INT64_MIN, INT64_MAX).kind, IntegerKind::OutOfRange);
}

TEST(IntegerChecked, NegativesAgainstTheRange) {
    EXPECT_EQ(parse_integer_checked("-1", 0, 10).kind, IntegerKind::OutOfRange);
    EXPECT_EQ(parse_integer_checked("-0", 0, 10).value, 0);
    EXPECT_EQ(parse_integer_checked("0", 1, 10).kind, IntegerKind::OutOfRange);
    EXPECT_EQ(parse_integer_checked("007", 0, 10).value, 7);
}

TEST(IntegerChecked, NotIntegers) {
    // Exponent forms and fractions are not WooCommerce integers, even when whole
    // ("1.0"); a JSON number 1e3 reaches the parser as numeric_out's "1000".
    for (const char *s : {"", "-", "--1", "+1", "1.5", "1.0", "-0.5", ".5", "5.", "1e3", "1E3", "1e-3", "12abc", "abc", " 1",
                          "1 ", "0x10", "NaN", "Infinity", "-Infinity", "18446744073709551617.5", "99999999999999999999e1"})
        EXPECT_EQ(parse_integer_checked(s, INT64_MIN, INT64_MAX).kind, IntegerKind::NotInteger) << s;
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

TEST(Email, RedactsAddressesInsideTexts) {
    const std::string h = hash_email("jane@example.com");
    EXPECT_EQ(redact_emails_in_text("orders[0] (id 5): total \"jane@example.com\" is not a number"),
              "orders[0] (id 5): total \"sha256:" + h + "\" is not a number");
    EXPECT_EQ(redact_emails_in_text("a 'Jane@Example.com', b"), "a 'sha256:" + h + "', b");
    EXPECT_EQ(redact_emails_in_text("x@y"), "sha256:" + hash_email("x@y"));
    EXPECT_EQ(redact_emails_in_text("price @ 5, @handle, trailing@ (no address)"), "price @ 5, @handle, trailing@ (no address)");
    EXPECT_EQ(redact_emails_in_text(""), "");
    EXPECT_EQ(redact_emails_in_text("PACK@2 and x@y", true), "PACK@2 and x@y");
    EXPECT_EQ(redact_emails_in_text("Jane (jane@example.com)", true), "Jane (sha256:" + h + ")");
    EXPECT_TRUE(is_email_word("a@b.c", true));
    EXPECT_FALSE(is_email_word("a@b.", true));
    EXPECT_FALSE(is_email_word("a@.b", true));
    EXPECT_FALSE(is_email_word("@b.c", true));
    EXPECT_TRUE(is_email_word("a@b", false));
    const std::string out = redact_emails_in_text("two: a@b.c\tc@d.e");
    EXPECT_EQ(out.find('@'), std::string::npos) << out;
}
