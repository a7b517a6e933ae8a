// Store URL, API key, chart-config and chat e-mail rules (extension/core/store.hpp).
#include "core/store.hpp"
#include "core/values.hpp"

#include "core/email.hpp"
#include "core/error.hpp"

#include <gtest/gtest.h>

using namespace woo::core;

namespace {
std::string error_of(const std::function<void()> &f) {
    try {
        f();
    } catch (const Error &e) {
        return std::string(e.sqlstate()) + " " + e.what();
    }
    return "no error";
}
JsonValue str(const std::string &s) {
    JsonValue v;
    v.kind = JsonValue::Kind::String;
    v.text = s;
    return v;
}
JsonValue boolean(bool b) {
    JsonValue v;
    v.kind = JsonValue::Kind::Bool;
    v.boolean = b;
    return v;
}
JsonValue array(std::vector<JsonValue> e) {
    JsonValue v;
    v.kind = JsonValue::Kind::Array;
    v.elements = std::move(e);
    return v;
}
}  // namespace

TEST(StoreUrl, OneSpellingPerSite) {
    EXPECT_EQ(normalize_store_url("https://shop.example"), "https://shop.example");
    EXPECT_EQ(normalize_store_url("HTTPS://Shop.EXAMPLE/"), "https://shop.example");
    EXPECT_EQ(normalize_store_url("https://shop.example.///"), "https://shop.example");
    EXPECT_EQ(normalize_store_url("https://shop.example:443/"), "https://shop.example");
    EXPECT_EQ(normalize_store_url("http://shop.example:80"), "http://shop.example");
    EXPECT_EQ(normalize_store_url("http://shop.example:443"), "http://shop.example:443");
    EXPECT_EQ(normalize_store_url("https://shop.example:8443/"), "https://shop.example:8443");
    EXPECT_EQ(normalize_store_url("https://Shop.example/EU/Store/"), "https://shop.example/EU/Store");
    EXPECT_EQ(normalize_store_url("https://shop.example/a%2Fb"), "https://shop.example/a%2Fb");
    EXPECT_EQ(normalize_store_url("http://[::1]:8080/"), "http://[::1]:8080");
    EXPECT_EQ(normalize_store_url("http://127.0.0.1"), "http://127.0.0.1");
}

TEST(StoreUrl, RefusesWithTheFieldNamed) {
    for (const char *u : {"ftp://shop.example", "shop.example", "https://user@shop.example", "https://u:p@shop.example/",
                          "https://shop.example/?a=1", "https://shop.example#top", "https://shop.example/a b",
                          "https:// shop.example", "https://", "https:///path", "https://shop..example",
                          "https://shop.example:0", "https://shop.example:65536", "https://shop.example:",
                          "https://shop.example:08", "https://shop.example:x", "https://shöp.example",
                          "https://shop_example", "https://shop.example/%zz", "https://shop.example/%2",
                          "https://[::1", "https://shop.example/a\tb", "javascript://x", "https://-shop.example"}) {
        const std::string e = error_of([&] { normalize_store_url(u); });
        EXPECT_EQ(e.substr(0, 16), "22023 store_url:") << u << " -> " << e;
    }
    EXPECT_EQ(error_of([] { normalize_store_url("https://shop.example/" + std::string(480, 'a')); }).substr(0, 16),
              "22023 store_url:");
}

TEST(ApiKey, LengthRules) {
    EXPECT_EQ(error_of([] { check_api_key(std::string(32, 'k'), "api_key"); }), "no error");
    EXPECT_EQ(error_of([] { check_api_key(std::string(72, 'k'), "api_key"); }), "no error");
    EXPECT_EQ(error_of([] { check_api_key(std::string(31, 'k'), "api_key"); }),
              "22023 api_key: must be 32 to 72 bytes long, not 31");
    const std::string e = error_of([] { check_api_key(std::string(73, 's'), "new_key"); });
    EXPECT_EQ(e.substr(0, 54), "22023 new_key: must be 32 to 72 bytes long, not 73 (bc");
    EXPECT_EQ(e.find("sss"), std::string::npos) << "the key is never quoted";
    // Bytes, not characters: 24 three-byte characters are 72 bytes.
    std::string euro;
    for (int i = 0; i < 25; ++i) euro += "\xe2\x82\xac";
    EXPECT_FALSE(api_key_length_ok(euro));
}

TEST(ChartConfig, AcceptsDeclarativeOptions) {
    EXPECT_EQ(error_of([] { check_chart_config({{"type", str("bar")}, {"x", str("status")}, {"y", str("revenue")}}, 50); }),
              "no error");
    EXPECT_EQ(error_of([] {
                  check_chart_config({{"type", str("line")}, {"x", str("day")}, {"y", array({str("orders"), str("net revenue")})},
                                      {"series", str("status")}, {"stacked", boolean(true)}, {"legend", boolean(false)},
                                      {"x_label", str("Day")}, {"y_label", str("USD")}, {"sort", str("desc")},
                                      {"colors", array({str("#fff"), str("#1a2B3c")})}},
                                     300);
              }),
              "no error");
    for (const auto &t : chart_types()) EXPECT_EQ(error_of([&] { check_chart_config({{"type", str(t)}}, 20); }), "no error");
}

TEST(ChartConfig, RefusesCodeUnknownKeysAndWrongTypes) {
    EXPECT_EQ(error_of([] { check_chart_config({}, 2); }), "22023 chart_config.type: is required");
    EXPECT_EQ(error_of([] { check_chart_config({{"type", str("pie3d")}}, 20); }).substr(0, 54),
              "22023 chart_config.type: \"pie3d\" is not a chart type (");
    EXPECT_EQ(error_of([] { check_chart_config({{"type", str("bar")}, {"formatter", str("function(v){return v}")}}, 60); }).substr(0, 46),
              "22023 chart_config: unknown option \"formatter\"");
    EXPECT_EQ(error_of([] { check_chart_config({{"type", boolean(true)}}, 20); }),
              "22023 chart_config.type: must be a string, not a boolean");
    EXPECT_EQ(error_of([] { check_chart_config({{"type", str("bar")}, {"x", str("a;drop table")}}, 40); }).substr(0, 24),
              "22023 chart_config.x: a ");
    EXPECT_EQ(error_of([] { check_chart_config({{"type", str("bar")}, {"y", array({})}}, 30); }),
              "22023 chart_config.y: must list 1 to 10 column names");
    EXPECT_EQ(error_of([] { check_chart_config({{"type", str("bar")}, {"x_label", str("<script>")}}, 40); }).substr(0, 30),
              "22023 chart_config.x_label: mu");
    EXPECT_EQ(error_of([] { check_chart_config({{"type", str("bar")}, {"stacked", str("yes")}}, 40); }),
              "22023 chart_config.stacked: must be a boolean, not a string");
    EXPECT_EQ(error_of([] { check_chart_config({{"type", str("bar")}, {"colors", array({str("red")})}}, 40); }),
              "22023 chart_config.colors: each colour is \"#rgb\" or \"#rrggbb\"");
    EXPECT_EQ(error_of([] { check_chart_config({{"type", str("bar")}, {"sort", str("random")}}, 40); }),
              "22023 chart_config.sort: must be \"asc\" or \"desc\"");
    EXPECT_EQ(error_of([] { check_chart_config({{"type", str("bar")}}, 4097); }),
              "54000 chart_config: must be at most 4096 bytes as JSON text, not 4097");
}

TEST(ChatEmails, EveryAddressBecomesItsHash) {
    const std::string h = hash_email("Jane.Doe@Example.com");
    EXPECT_EQ(redact_emails_in_text("mail Jane.Doe@Example.com today"), "mail sha256:" + h + " today");
    EXPECT_EQ(redact_emails_in_text("<Jane.Doe@Example.com>, ok?"), "<sha256:" + h + ">, ok?");
    EXPECT_EQ(redact_emails_in_text("is it jane.doe@example.com?"), "is it sha256:" + h + "?");
    EXPECT_EQ(redact_emails_in_text("(jane.doe@example.com)."), "(sha256:" + h + ").");
    const std::string two = redact_emails_in_text("a@b.c and x@y.z");
    EXPECT_EQ(two, "sha256:" + hash_email("a@b.c") + " and sha256:" + hash_email("x@y.z"));
    EXPECT_EQ(redact_emails_in_text("no address here, @mention, trailing@ and 5 @ 3"), "no address here, @mention, trailing@ and 5 @ 3");
    EXPECT_EQ(redact_emails_in_text(""), "");
    EXPECT_EQ(redact_emails_in_text("say \\\"jane.doe@example.com\\\""), "say \\\"sha256:" + h + "\\\"") << "JSON-escaped quotes";
    EXPECT_EQ(redact_emails_in_text("multi\nline jane.doe@example.com\n"), "multi\nline sha256:" + h + "\n");
}

// Review of issue 12: the same rules as pgtap/085_review_attacks.sql, without PostgreSQL.
TEST(Review12, ErrorTextsCutOnCharactersAndHideAddresses) {
    const std::string cut = error_of([] { check_chart_config({{"type", str(std::string(39, 'a') + "\xc3\xa9")}}, 10); });
    EXPECT_EQ(cut.substr(0, 66), "22023 chart_config.type: \"" + std::string(39, 'a') + "\"");
    const std::string mail = error_of([] { check_chart_config({{"type", str("bob@example.com")}}, 10); });
    EXPECT_EQ(mail.find("bob@example.com"), std::string::npos);
    EXPECT_NE(mail.find("sha256:" + hash_email("bob@example.com", false)), std::string::npos);
    EXPECT_EQ(error_of([] { normalize_store_url("bob@example.com://x.example"); }).find("bob@"), std::string::npos);
}

TEST(Review12, NoAddressStoredInLabelsOrUrls) {
    EXPECT_EQ(error_of([] { check_chart_config({{"type", str("bar")}, {"x_label", str("for bob@example.com")}}, 10); }),
              "22023 chart_config.x_label: must not contain an e-mail address (it would be stored in clear)");
    EXPECT_EQ(error_of([] { normalize_store_url("https://shop.example/bob@example.com"); }),
              "22023 store_url: must not contain an e-mail address (it would be stored in clear)");
}

TEST(Review12, OneSpellingPerSitePath) {
    EXPECT_EQ(normalize_store_url("https://shop.example/%7e%45u/"), "https://shop.example/~Eu");
    EXPECT_EQ(normalize_store_url("https://shop.example/a%2fb"), "https://shop.example/a%2Fb");
    for (const char *u : {"https://shop.example/.", "https://shop.example/a/../b", "https://shop.example//a", "https://shop.example/%2E%2e"})
        EXPECT_EQ(error_of([&] { normalize_store_url(u); }), "22023 store_url: a path segment must not be empty, \".\" or \"..\"") << u;
}

TEST(Review12, PercentEncodedAddressIsHashed) {
    EXPECT_EQ(redact_emails_in_text("mail bob%40example.com now"), "mail sha256:" + hash_email("bob@example.com", false) + " now");
    EXPECT_EQ(redact_emails_in_text("50%40off"), "sha256:" + hash_email("50@off", false));
    EXPECT_EQ(redact_emails_in_text("100%40"), "100%40");
}
