// woo-load's PostgreSQL-free core: splitting a byte stream of WooCommerce REST
// exports into records, telling which resource a record is, and cutting the
// records of one source into batches around the ranges a previous run already
// committed. Unit-tested in tests/test_loader_*.cpp; no libpq here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace woo::load {

enum class Resource { categories, products, customers, coupons, orders };
constexpr int kResourceCount = 5;

// "orders", "products", ... (the woo.upsert_<name> suffix and sync_logs.sync_type).
const char *resource_name(Resource r);
std::optional<Resource> parse_resource(std::string_view name);
// Load order: categories, products, customers, coupons, then orders.
inline int load_rank(Resource r) { return static_cast<int>(r); }

// Malformed input. line and offset are 1-based / 0-based positions in the stream.
class InputError : public std::runtime_error {
public:
    InputError(const std::string &what, std::uint64_t line, std::uint64_t offset)
        : std::runtime_error(what), line_(line), offset_(offset) {}
    std::uint64_t line() const { return line_; }
    std::uint64_t offset() const { return offset_; }

private:
    std::uint64_t line_, offset_;
};

struct Record {
    std::string json;          // the object's text, exactly as in the input
    std::uint64_t index = 0;   // 1-based position among the records of the stream
    std::uint64_t line = 0;    // line where the object starts
    std::uint64_t end = 0;     // stream offset just past the object
};

// Splits a stream into its top-level objects. Accepted shapes, freely mixed:
// a JSON array of objects (a REST page), several arrays one after another,
// and objects one after another (NDJSON, or pretty-printed). It only tracks
// strings, escapes and bracket nesting: each object's content is validated by
// the server (jsonb), which names the record when it is wrong. Incremental:
// feed() any chunking of the bytes, next() pops complete records.
class RecordSplitter {
public:
    void feed(std::string_view bytes);   // throws InputError
    bool next(Record &out);              // a complete record, in order
    void finish();                       // end of input: throws InputError if inside a value

private:
    enum class State { Outside, ArrayValue, ArrayAfter, InObject };
    [[noreturn]] void fail(const std::string &what) const;
    void feed_object(std::string_view bytes, std::size_t &i);

    State state_ = State::Outside;
    bool in_array_ = false;       // the current object is an array element
    bool array_empty_ = true;     // no element yet in the current array
    bool in_string_ = false, escape_ = false;
    std::vector<char> nesting_;   // '{' / '[' inside the current object
    std::string current_;
    std::uint64_t current_line_ = 0;
    std::uint64_t line_ = 1, offset_ = 0, seen_ = 0;
    bool bom_checked_ = false;
    int bom_seen_ = 0;
    std::vector<Record> ready_;
    std::size_t ready_head_ = 0;
};

// The keys of a JSON object's top level, in order (raw text between the quotes).
std::vector<std::string> top_level_keys(std::string_view object);
// The raw text of a top-level member's value ("123", "\"abc\"", "{...}"), if present.
std::optional<std::string> top_level_value(std::string_view object, std::string_view key);
// Which WooCommerce resource a REST object is, from its keys; nullopt when unsure.
std::optional<Resource> infer_resource(std::string_view object);

// A half-open range [first, first + count) of 1-based record positions.
struct Range {
    std::uint64_t first, count;
    std::uint64_t end() const { return first + count; }
};

// Cuts the records of one source into batches of at most `size` consecutive
// records, skipping those inside `done` (ranges committed by an earlier run,
// in any order, possibly cut with another batch size). A batch never spans a
// skipped record, so each batch is one contiguous range: its checkpoint.
class Batcher {
public:
    struct Batch {
        std::string payload;   // a JSON array of the records
        std::uint64_t first = 0, count = 0;
    };
    // At most `size` records, and a batch is taken early rather than grow past `max_bytes`.
    Batcher(std::size_t size, std::vector<Range> done, std::size_t max_bytes = SIZE_MAX);
    // Offers record `index` (strictly increasing). False: already committed, skip it.
    bool wanted(std::uint64_t index);
    // Adds a wanted record. Returns the pending batch when it is full or does
    // not continue at `index`; the record then starts the next batch.
    std::optional<Batch> push(std::uint64_t index, std::string_view json);
    // The last, partial batch at the end of the source.
    std::optional<Batch> flush();

private:
    std::size_t size_, max_bytes_;
    std::vector<Range> done_;   // sorted, merged
    std::size_t cursor_ = 0;
    std::string payload_;
    std::uint64_t first_ = 0, count_ = 0;
};

// Merges overlapping or adjacent ranges; sorted by first.
std::vector<Range> merge_ranges(std::vector<Range> ranges);

}  // namespace woo::load
