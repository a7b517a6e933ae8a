// woo-load's core: splitting streams into records, inferring resources, batching around checkpoints.
#include "records.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace woo::load;

namespace {

// Feeds `input` in chunks of `chunk` bytes (0: all at once) and returns the records.
std::vector<Record> split(const std::string &input, std::size_t chunk = 0) {
    RecordSplitter s;
    std::vector<Record> out;
    Record r;
    if (chunk == 0) chunk = input.size() ? input.size() : 1;
    for (std::size_t i = 0; i < input.size(); i += chunk) {
        s.feed(std::string_view(input).substr(i, chunk));
        while (s.next(r)) out.push_back(r);
    }
    s.finish();
    while (s.next(r)) out.push_back(r);
    return out;
}

std::vector<std::string> texts(const std::vector<Record> &rs) {
    std::vector<std::string> t;
    for (const auto &r : rs) t.push_back(r.json);
    return t;
}

std::string error_of(const std::string &input) {
    try {
        split(input);
    } catch (const InputError &e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(RecordSplitter, JsonArrayPage) {
    auto rs = split(R"([{"id":1},{"id":2} , {"id":3}])");
    EXPECT_EQ(texts(rs), (std::vector<std::string>{R"({"id":1})", R"({"id":2})", R"({"id":3})"}));
    EXPECT_EQ(rs[0].index, 1u);
    EXPECT_EQ(rs[2].index, 3u);
}

TEST(RecordSplitter, NdjsonWithLineNumbers) {
    auto rs = split("{\"id\":1}\n{\"id\":2}\r\n\n{\"id\":3}\n");
    ASSERT_EQ(rs.size(), 3u);
    EXPECT_EQ(rs[0].line, 1u);
    EXPECT_EQ(rs[1].line, 2u);
    EXPECT_EQ(rs[2].line, 4u);
    EXPECT_EQ(rs[2].json, R"({"id":3})");
}

TEST(RecordSplitter, SeveralPagesOneAfterAnother) {
    auto rs = split("[{\"id\":1},{\"id\":2}]\n[{\"id\":3}]\n[]\n[ ]");
    EXPECT_EQ(texts(rs), (std::vector<std::string>{R"({"id":1})", R"({"id":2})", R"({"id":3})"}));
}

TEST(RecordSplitter, PrettyPrintedArrayKeepsObjectTextExactly) {
    std::string obj = "{\n  \"id\": 7,\n  \"line_items\": [\n    {\"id\": 1}\n  ]\n}";
    auto rs = split("[\n  " + obj + "\n]\n");
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(rs[0].json, obj);
    EXPECT_EQ(rs[0].line, 2u);
}

TEST(RecordSplitter, BracketsQuotesAndEscapesInsideStrings) {
    std::string a = R"({"name":"a } ] [ { , \" \\","note":"\\\"}"})";
    std::string b = R"({"x":"\u007d"})";
    auto rs = split("[" + a + "," + b + "]");
    EXPECT_EQ(texts(rs), (std::vector<std::string>{a, b}));
}

TEST(RecordSplitter, AnyChunkingGivesTheSameRecords) {
    std::string input = "\xEF\xBB\xBF[{\"id\":1,\"s\":\"}\\\"]\"},\n {\"id\":2,\"a\":[1,{\"b\":[]}]}]\n{\"id\":3}\n";
    auto whole = texts(split(input));
    ASSERT_EQ(whole.size(), 3u);
    for (std::size_t chunk = 1; chunk < 12; ++chunk) EXPECT_EQ(texts(split(input, chunk)), whole) << "chunk " << chunk;
}

TEST(RecordSplitter, ByteOrderMarkIsSkipped) {
    auto rs = split("\xEF\xBB\xBF{\"id\":1}");
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(rs[0].json, "{\"id\":1}");
}

TEST(RecordSplitter, EmptyInputHasNoRecords) {
    EXPECT_TRUE(split("").empty());
    EXPECT_TRUE(split(" \n\t ").empty());
    EXPECT_TRUE(split("[]").empty());
}

TEST(RecordSplitter, MalformedInputIsAnErrorWithItsPlace) {
    EXPECT_NE(error_of("[1,2]").find("array elements must be JSON objects"), std::string::npos);
    EXPECT_NE(error_of("{\"id\":1} x").find("expected a JSON object"), std::string::npos);
    EXPECT_NE(error_of("[{\"id\":1} {\"id\":2}]").find("expected ',' or ']' after record 1"), std::string::npos);
    EXPECT_NE(error_of("[{\"id\":1},]").find("array elements must be JSON objects, found ']'"), std::string::npos);
    EXPECT_NE(error_of("[{\"id\":1}").find("missing ']'"), std::string::npos);
    EXPECT_NE(error_of("{\"id\":1}\n{\"id\":2").find("input ends inside record 2"), std::string::npos);
    EXPECT_NE(error_of("{\"a\":[1}").find("mismatched '}' in record 1"), std::string::npos);
    EXPECT_NE(error_of("{\"a\":\"oops}\n{\"id\":2}").find("unterminated string in record 1"), std::string::npos);
    EXPECT_NE(error_of(std::string("{\"a\":\"x\0y\"}", 11)).find("NUL byte"), std::string::npos);
    std::string where = error_of("{\"id\":1}\n\n  ?");
    EXPECT_NE(where.find("line 3"), std::string::npos) << where;
}

TEST(RecordSplitter, ErrorCarriesLineAndOffset) {
    try {
        split("{\"id\":1}\n]");
        FAIL() << "no error";
    } catch (const InputError &e) {
        EXPECT_EQ(e.line(), 2u);
        EXPECT_EQ(e.offset(), 9u);
    }
}

TEST(TopLevel, KeysAndValuesIgnoreNestedMembers) {
    std::string o = R"({ "id" : 42, "billing": {"email": "x@y", "id": 9}, "name":"a,b}", "line_items":[{"sku":"S"}] })";
    EXPECT_EQ(top_level_keys(o), (std::vector<std::string>{"id", "billing", "name", "line_items"}));
    EXPECT_EQ(top_level_value(o, "id").value_or(""), "42");
    EXPECT_EQ(top_level_value(o, "name").value_or(""), "\"a,b}\"");
    EXPECT_EQ(top_level_value(o, "line_items").value_or(""), R"([{"sku":"S"}])");
    EXPECT_FALSE(top_level_value(o, "email").has_value());
    EXPECT_TRUE(top_level_keys("[1]").empty());
}

TEST(InferResource, EachRestShape) {
    EXPECT_EQ(infer_resource(R"({"id":727,"status":"processing","billing":{"email":"a@b"},"line_items":[{"sku":"x","price":3}]})"),
              Resource::orders);
    EXPECT_EQ(infer_resource(R"({"id":719,"code":"10off","amount":"10.00","discount_type":"percent","email_restrictions":[]})"),
              Resource::coupons);
    EXPECT_EQ(infer_resource(R"({"id":25,"email":"john@example.com","username":"john","billing":{"email":"john@example.com"}})"),
              Resource::customers);
    EXPECT_EQ(infer_resource(R"({"id":794,"name":"Premium","slug":"premium","type":"simple","sku":"","price":"21.99"})"),
              Resource::products);
    EXPECT_EQ(infer_resource(R"({"id":9,"name":"Clothing","slug":"clothing","parent":0,"display":"default","count":36})"),
              Resource::categories);
    EXPECT_EQ(infer_resource(R"({"id":9,"name":"Clothing","parent":0,"count":3})"), Resource::categories);
    EXPECT_FALSE(infer_resource(R"({"id":1,"name":"who knows"})").has_value());
    EXPECT_FALSE(infer_resource("not json").has_value());
}

TEST(Resources, NamesRoundTripAndLoadOrder) {
    for (auto r : {Resource::categories, Resource::products, Resource::customers, Resource::coupons, Resource::orders})
        EXPECT_EQ(parse_resource(resource_name(r)), r);
    EXPECT_FALSE(parse_resource("refunds").has_value());
    EXPECT_LT(load_rank(Resource::categories), load_rank(Resource::products));
    EXPECT_LT(load_rank(Resource::products), load_rank(Resource::orders));
    EXPECT_LT(load_rank(Resource::customers), load_rank(Resource::orders));
}

TEST(MergeRanges, SortsAndJoinsOverlapsAndNeighbours) {
    EXPECT_EQ(merge_ranges({{1, 10}, {12, 1}}).size(), 2u);   // 11 is missing: not joined
    auto m = merge_ranges({{160, 100}, {1, 100}, {101, 50}, {500, 0}, {140, 20}, {400, 10}});
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[0].first, 1u);
    EXPECT_EQ(m[0].count, 259u);
    EXPECT_EQ(m[1].first, 400u);
    EXPECT_EQ(m[1].count, 10u);
}

namespace {
struct Cut {
    std::uint64_t first, count;
    std::string payload;
};
// Offers records 1..n ("{i}"-shaped) to a batcher and returns the batches.
std::vector<Cut> cut(std::uint64_t n, std::size_t size, std::vector<Range> done) {
    Batcher b(size, std::move(done));
    std::vector<Cut> out;
    auto take = [&](std::optional<Batcher::Batch> x) {
        if (x) out.push_back({x->first, x->count, x->payload});
    };
    for (std::uint64_t i = 1; i <= n; ++i) {
        if (!b.wanted(i)) continue;
        take(b.push(i, "{\"id\":" + std::to_string(i) + "}"));
    }
    take(b.flush());
    return out;
}
}  // namespace

TEST(Batcher, FullBatchesThenARemainder) {
    auto c = cut(7, 3, {});
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c[0].first, 1u);
    EXPECT_EQ(c[0].count, 3u);
    EXPECT_EQ(c[0].payload, R"([{"id":1},{"id":2},{"id":3}])");
    EXPECT_EQ(c[2].first, 7u);
    EXPECT_EQ(c[2].count, 1u);
    EXPECT_EQ(c[2].payload, R"([{"id":7}])");
    EXPECT_TRUE(cut(0, 3, {}).empty());
}

TEST(Batcher, SkipsCommittedRangesAndNeverSpansAGap) {
    // An earlier run with batches of 4 committed 1-4 and 9-12 (5-8 were in flight and lost).
    auto c = cut(14, 3, {{9, 4}, {1, 4}});
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c[0].first, 5u);
    EXPECT_EQ(c[0].count, 3u);
    EXPECT_EQ(c[1].first, 8u);
    EXPECT_EQ(c[1].count, 1u);   // 9 was committed: the batch stops at the gap
    EXPECT_EQ(c[2].first, 13u);
    EXPECT_EQ(c[2].count, 2u);
    std::uint64_t covered = 0;
    for (auto &x : c) covered += x.count;
    EXPECT_EQ(covered, 14u - 8u);
}

TEST(Batcher, EverythingCommittedSendsNothing) {
    EXPECT_TRUE(cut(10, 4, {{1, 10}}).empty());
    EXPECT_TRUE(cut(10, 4, {{1, 5}, {6, 5}}).empty());
}

TEST(Batcher, ABatchIsTakenEarlyRatherThanGrowPastItsByteLimit) {
    Batcher b(100, {}, 20);   // each record below is 8 bytes: two fit in "[...,...]" (19 bytes), three do not
    std::vector<std::uint64_t> counts;
    for (std::uint64_t i = 1; i <= 5; ++i)
        if (auto x = b.push(i, "{\"id\":" + std::to_string(i) + "}")) counts.push_back(x->count);
    if (auto x = b.flush()) counts.push_back(x->count);
    EXPECT_EQ(counts, (std::vector<std::uint64_t>{2, 2, 1}));
    Batcher one(100, {}, 4);   // a record larger than the limit still goes, alone
    EXPECT_FALSE(one.push(1, "{\"id\":1}").has_value());
    auto first = one.push(2, "{\"id\":2}");
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->count, 1u);
}

TEST(RecordSplitter, ErrorsInsideAPrettyPrintedRecordNameTheirOwnLine) {
    const std::string input = "[\n  {\n    \"id\": 1,\n    \"a\": [1, 2\n  }\n]";   // the '}' on line 5 closes '['
    for (std::size_t chunk : {std::size_t{0}, std::size_t{1}, std::size_t{7}}) {
        try {
            split(input, chunk);
            FAIL() << "no error";
        } catch (const InputError &e) {
            EXPECT_EQ(e.line(), 5u) << "chunk " << chunk << ": " << e.what();
        }
    }
    try {
        split("{\"id\": 1,\n \"name\": \"unterminated\n}");
        FAIL() << "no error";
    } catch (const InputError &e) {
        EXPECT_EQ(e.line(), 2u) << e.what();
    }
}
