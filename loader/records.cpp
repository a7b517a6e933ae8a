#include "records.hpp"

#include <algorithm>
#include <array>

namespace woo::load {

namespace {

constexpr std::array<const char *, kResourceCount> kNames = {"categories", "products", "customers", "coupons", "orders"};
constexpr std::size_t kMaxRecordBytes = std::size_t{64} << 20;   // one WooCommerce object; a runaway value stops here

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string describe(char c) {
    if (c >= 0x20 && c < 0x7f) return std::string("'") + c + "'";
    static const char hex[] = "0123456789abcdef";
    auto u = static_cast<unsigned char>(c);
    return std::string("byte 0x") + hex[u >> 4] + hex[u & 15];
}

// Calls f(key, raw value) for each top-level member of a JSON object. Stops
// early when f returns false. Tolerant: a malformed object yields what it can
// (the server validates the record anyway).
template <typename F>
void for_each_member(std::string_view s, F &&f) {
    std::size_t i = 0, n = s.size();
    while (i < n && is_space(s[i])) ++i;
    if (i >= n || s[i] != '{') return;
    ++i;
    while (i < n) {
        while (i < n && (is_space(s[i]) || s[i] == ',')) ++i;
        if (i >= n || s[i] != '"') return;
        std::size_t k0 = ++i;
        while (i < n && s[i] != '"') i += (s[i] == '\\') ? 2 : 1;
        if (i >= n) return;
        std::string_view key = s.substr(k0, i - k0);
        ++i;
        while (i < n && is_space(s[i])) ++i;
        if (i >= n || s[i] != ':') return;
        ++i;
        while (i < n && is_space(s[i])) ++i;
        std::size_t v0 = i;
        int depth = 0;
        bool str = false;
        for (; i < n; ++i) {
            char c = s[i];
            if (str) {
                if (c == '\\') ++i;
                else if (c == '"') str = false;
            } else if (c == '"') {
                str = true;
            } else if (c == '{' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ']') {
                if (depth == 0) break;
                --depth;
            } else if (c == ',' && depth == 0) {
                break;
            }
        }
        std::size_t v1 = std::min(i, n);
        while (v1 > v0 && is_space(s[v1 - 1])) --v1;
        if (!f(key, s.substr(v0, v1 - v0))) return;
        if (i >= n || s[i] == '}') return;
    }
}

}  // namespace

const char *resource_name(Resource r) { return kNames[static_cast<std::size_t>(r)]; }

std::optional<Resource> parse_resource(std::string_view name) {
    for (std::size_t i = 0; i < kNames.size(); ++i)
        if (name == kNames[i]) return static_cast<Resource>(i);
    return std::nullopt;
}

void RecordSplitter::fail(const std::string &what) const {
    throw InputError(what + " (line " + std::to_string(line_) + ", byte " + std::to_string(offset_) + ")", line_,
                     offset_);
}

void RecordSplitter::feed_object(std::string_view bytes, std::size_t &i) {
    const std::size_t start = i, n = bytes.size();
    // Moves the stream position (byte and line) past bytes [start, end).
    auto pass = [&](std::size_t end) {
        offset_ += end - start;
        line_ += static_cast<std::uint64_t>(std::count(bytes.data() + start, bytes.data() + end, '\n'));
    };
    // The same, keeping those bytes as part of the current record.
    auto keep = [&](std::size_t end) {
        current_.append(bytes.data() + start, end - start);
        pass(end);
        if (current_.size() > kMaxRecordBytes) fail("record " + std::to_string(seen_ + 1) + " is larger than 64 MiB");
    };
    for (; i < n; ++i) {
        const char c = bytes[i];
        if (c == '\0') {
            pass(i);
            fail("NUL byte in record " + std::to_string(seen_ + 1));
        }
        if (in_string_) {
            if (escape_) escape_ = false;
            else if (c == '\\') escape_ = true;
            else if (c == '"') in_string_ = false;
            else if (c == '\n') {
                pass(i);
                fail("line break inside a string: unterminated string in record " + std::to_string(seen_ + 1));
            }
        } else if (c == '"') {
            in_string_ = true;
        } else if (c == '{' || c == '[') {
            nesting_.push_back(c);
        } else if (c == '}' || c == ']') {
            if (nesting_.back() != (c == '}' ? '{' : '[')) {
                pass(i);
                fail("mismatched " + describe(c) + " in record " + std::to_string(seen_ + 1));
            }
            nesting_.pop_back();
            if (nesting_.empty()) {
                keep(i + 1);
                ++i;
                ready_.push_back(Record{std::move(current_), ++seen_, current_line_, offset_});
                current_.clear();
                state_ = in_array_ ? State::ArrayAfter : State::Outside;
                return;
            }
        }
    }
    keep(n);
}

void RecordSplitter::feed(std::string_view bytes) {
    std::size_t i = 0;
    // A UTF-8 byte order mark at the very start (possibly split across chunks) is skipped.
    static constexpr char kBom[] = "\xEF\xBB\xBF";
    while (!bom_checked_ && i < bytes.size()) {
        if (bytes[i] == kBom[bom_seen_]) {
            ++i, ++offset_;
            if (++bom_seen_ == 3) bom_checked_ = true;
        } else {
            if (bom_seen_ > 0) fail("incomplete UTF-8 byte order mark");
            bom_checked_ = true;
        }
    }
    const std::size_t n = bytes.size();
    while (i < n) {
        if (state_ == State::InObject) {
            feed_object(bytes, i);
            continue;
        }
        const char c = bytes[i];
        if (is_space(c)) {
            if (c == '\n') ++line_;
            ++offset_;
            ++i;
            continue;
        }
        bool begin = false;
        switch (state_) {
        case State::Outside:
            if (c == '[') {
                state_ = State::ArrayValue;
                array_empty_ = true;
            } else if (c == '{') {
                in_array_ = false;
                begin = true;
            } else {
                fail("expected a JSON object or an array of objects, found " + describe(c));
            }
            break;
        case State::ArrayValue:
            if (c == '{') {
                in_array_ = true;
                array_empty_ = false;
                begin = true;
            } else if (c == ']' && array_empty_) {
                state_ = State::Outside;
            } else {
                fail("array elements must be JSON objects, found " + describe(c));
            }
            break;
        case State::ArrayAfter:
            if (c == ',') state_ = State::ArrayValue;
            else if (c == ']') state_ = State::Outside;
            else fail("expected ',' or ']' after record " + std::to_string(seen_) + ", found " + describe(c));
            break;
        case State::InObject:
            break;
        }
        if (begin) {
            state_ = State::InObject;
            nesting_.assign(1, '{');
            current_.assign(1, '{');
            current_line_ = line_;
            in_string_ = escape_ = false;
            ++offset_;
            ++i;
            continue;
        }
        ++offset_;
        ++i;
    }
}

bool RecordSplitter::next(Record &out) {
    if (ready_head_ == ready_.size()) {
        ready_.clear();
        ready_head_ = 0;
        return false;
    }
    out = std::move(ready_[ready_head_++]);
    return true;
}

void RecordSplitter::finish() {
    if (state_ == State::InObject) fail("input ends inside record " + std::to_string(seen_ + 1));
    if (state_ != State::Outside) fail("input ends inside a JSON array (missing ']')");
}

std::vector<std::string> top_level_keys(std::string_view object) {
    std::vector<std::string> keys;
    for_each_member(object, [&](std::string_view k, std::string_view) {
        keys.emplace_back(k);
        return true;
    });
    return keys;
}

std::optional<std::string> top_level_value(std::string_view object, std::string_view key) {
    std::optional<std::string> found;
    for_each_member(object, [&](std::string_view k, std::string_view v) {
        if (k != key) return true;
        found.emplace(v);
        return false;
    });
    return found;
}

std::optional<Resource> infer_resource(std::string_view object) {
    bool order = false, coupon = false, customer = false, product = false, category = false;
    bool slug = false, parent = false, count = false;
    for_each_member(object, [&](std::string_view k, std::string_view) {
        if (k == "line_items" || k == "order_key" || k == "shipping_lines") order = true;
        else if (k == "discount_type" || k == "usage_limit_per_user") coupon = true;
        else if (k == "username" || k == "is_paying_customer" || k == "email" || k == "role") customer = true;
        else if (k == "sku" || k == "regular_price" || k == "price" || k == "stock_status" || k == "variations") product = true;
        else if (k == "display" || k == "menu_order") category = true;
        else if (k == "slug") slug = true;
        else if (k == "parent") parent = true;
        else if (k == "count") count = true;
        return true;
    });
    // Most specific first: orders embed products' fields only inside line_items.
    if (order) return Resource::orders;
    if (coupon) return Resource::coupons;
    if (customer) return Resource::customers;
    if (product) return Resource::products;
    if (category || (parent && (slug || count))) return Resource::categories;
    return std::nullopt;
}

std::vector<Range> merge_ranges(std::vector<Range> ranges) {
    ranges.erase(std::remove_if(ranges.begin(), ranges.end(), [](const Range &r) { return r.count == 0; }),
                 ranges.end());
    std::sort(ranges.begin(), ranges.end(), [](const Range &a, const Range &b) { return a.first < b.first; });
    std::vector<Range> merged;
    for (const Range &r : ranges) {
        if (!merged.empty() && r.first <= merged.back().end()) {
            std::uint64_t end = std::max(merged.back().end(), r.end());
            merged.back().count = end - merged.back().first;
        } else {
            merged.push_back(r);
        }
    }
    return merged;
}

Batcher::Batcher(std::size_t size, std::vector<Range> done, std::size_t max_bytes)
    : size_(size ? size : 1), max_bytes_(max_bytes), done_(merge_ranges(std::move(done))) {}

bool Batcher::wanted(std::uint64_t index) {
    while (cursor_ < done_.size() && done_[cursor_].end() <= index) ++cursor_;
    return !(cursor_ < done_.size() && done_[cursor_].first <= index);
}

std::optional<Batcher::Batch> Batcher::push(std::uint64_t index, std::string_view json) {
    std::optional<Batch> out;
    if (count_ > 0 && (count_ >= size_ || index != first_ + count_ || payload_.size() + json.size() + 2 > max_bytes_))
        out = flush();
    if (count_ == 0) {
        payload_.assign(1, '[');
        first_ = index;
    } else {
        payload_ += ',';
    }
    payload_.append(json);
    ++count_;
    return out;
}

std::optional<Batcher::Batch> Batcher::flush() {
    if (count_ == 0) return std::nullopt;
    payload_ += ']';
    Batch b{std::move(payload_), first_, count_};
    payload_.clear();
    count_ = 0;
    return b;
}

}  // namespace woo::load
