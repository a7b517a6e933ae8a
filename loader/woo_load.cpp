// woo-load: bulk backfill of WooCommerce REST exports through pg_woocommerce's
// woo.upsert_* functions, over libpq.
//
//   woo-load --db CONNINFO --store UUID [--resource R] [--batch N] [--jobs N]
//            [--lenient] [--resume] [--retries N] [--progress auto|bar|lines|none] FILE|DIR|- ...
//
// One batch = one transaction: woo.set_store, woo.upsert_<resource> and a row
// in woo.load_checkpoints, so a batch and its checkpoint commit together. Each
// of the --jobs connections runs in libpq pipeline mode with a few batches in
// flight. The run is a sync_logs row (woo.sync_start / woo.sync_finish);
// --resume continues the newest unfinished one, skipping committed ranges.
// Exit status: 0 completed, 1 failed, 2 usage, 3 could not connect, 130 interrupted.

#include "format.hpp"
#include "records.hpp"
#include "retry.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <getopt.h>
#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using namespace woo::load;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char *kVersion = "woo-load 1.0 (pg_woocommerce)";
constexpr int kExitOk = 0, kExitFailed = 1, kExitUsage = 2, kExitConnect = 3, kExitInterrupted = 130;
constexpr std::size_t kPipelineDepth = 4;     // batches in flight per connection
constexpr std::size_t kReadChunk = 1 << 20;   // bytes read from an input at a time
constexpr std::size_t kMaxBatchBytes = std::size_t{64} << 20;    // a batch is sent early past this size
constexpr std::size_t kMaxQueuedBytes = std::size_t{256} << 20;  // batches waiting for a worker, at most

std::atomic<int> g_signal{0};   // lock-free, so safe to set in a handler and read in threads
static_assert(std::atomic<int>::is_always_lock_free);
extern "C" void on_signal(int sig) { g_signal.store(sig); }   // SA_RESETHAND: a second Ctrl-C ends the process
bool interrupted() { return g_signal.load() != 0; }

struct Options {
    std::string db, store;
    std::optional<Resource> resource;
    std::size_t batch = 100;
    int jobs = 1, retries = 5;
    bool lenient = false, resume = false;
    enum class Progress { Auto, Bar, Lines, None } progress = Progress::Auto;
    std::vector<std::string> inputs;
};

[[noreturn]] void usage_error(const std::string &msg) {
    std::fprintf(stderr, "woo-load: %s\nTry 'woo-load --help'.\n", msg.c_str());
    std::exit(kExitUsage);
}

void print_help() {
    std::printf(
        "Usage: woo-load --db CONNINFO --store UUID [options] FILE|DIR|- ...\n"
        "Loads WooCommerce REST exports (JSON arrays, several arrays, or NDJSON) into\n"
        "pg_woocommerce through woo.upsert_*, one transaction per batch.\n\n"
        "  --db CONNINFO        libpq connection string or URI (default: PG* environment)\n"
        "  --store UUID         the store the records belong to (must exist)\n"
        "  --resource R         orders|products|customers|categories|coupons (default: inferred per file)\n"
        "  --batch N            records per transaction (default 100, 1..10000)\n"
        "  --jobs N             parallel connections (default 1, 1..64)\n"
        "  --lenient            set bad records aside in woo.ingest_rejects instead of stopping\n"
        "  --resume             continue the newest unfinished load of this store and kind\n"
        "  --retries N          retries of a transient failure or lost connection (default 5)\n"
        "  --progress MODE      auto|bar|lines|none (default auto: a bar on a terminal)\n"
        "  --version, --help\n"
        "Directories are searched recursively for *.json, *.ndjson and *.jsonl; categories,\n"
        "products, customers and coupons load before orders. '-' reads standard input.\n"
        "Exit status: 0 completed, 1 failed, 2 usage, 3 could not connect, 130 interrupted.\n");
}

bool looks_like_uuid(const std::string &s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    return true;
}

long parse_int(const char *opt, const char *text, long lo, long hi) {
    char *end = nullptr;
    errno = 0;
    long v = std::strtol(text, &end, 10);
    if (errno || !end || *end || v < lo || v > hi)
        usage_error(std::string(opt) + " must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    return v;
}

Options parse_options(int argc, char **argv) {
    Options o;
    static const option longopts[] = {
        {"db", required_argument, nullptr, 'd'},      {"store", required_argument, nullptr, 's'},
        {"resource", required_argument, nullptr, 'r'}, {"batch", required_argument, nullptr, 'b'},
        {"jobs", required_argument, nullptr, 'j'},    {"lenient", no_argument, nullptr, 'l'},
        {"resume", no_argument, nullptr, 'R'},        {"retries", required_argument, nullptr, 't'},
        {"progress", required_argument, nullptr, 'p'}, {"help", no_argument, nullptr, 'h'},
        {"version", no_argument, nullptr, 'V'},       {nullptr, 0, nullptr, 0}};
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, nullptr)) != -1) {
        switch (c) {
        case 'd': o.db = optarg; break;
        case 's': o.store = optarg; break;
        case 'r':
            o.resource = parse_resource(optarg);
            if (!o.resource) usage_error(std::string("unknown resource \"") + optarg + "\" (orders, products, customers, categories or coupons)");
            break;
        case 'b': o.batch = static_cast<std::size_t>(parse_int("--batch", optarg, 1, 10000)); break;
        case 'j': o.jobs = static_cast<int>(parse_int("--jobs", optarg, 1, 64)); break;
        case 'l': o.lenient = true; break;
        case 'R': o.resume = true; break;
        case 't': o.retries = static_cast<int>(parse_int("--retries", optarg, 0, 100)); break;
        case 'p': {
            std::string m = optarg;
            if (m == "auto") o.progress = Options::Progress::Auto;
            else if (m == "bar") o.progress = Options::Progress::Bar;
            else if (m == "lines") o.progress = Options::Progress::Lines;
            else if (m == "none") o.progress = Options::Progress::None;
            else usage_error("--progress must be auto, bar, lines or none");
            break;
        }
        case 'h': print_help(); std::exit(kExitOk);
        case 'V': std::printf("%s\n", kVersion); std::exit(kExitOk);
        default: usage_error(std::string("unknown or incomplete option ") + argv[optind - 1]);
        }
    }
    for (int i = optind; i < argc; ++i) o.inputs.emplace_back(argv[i]);
    if (o.store.empty()) usage_error("--store is required");
    if (!looks_like_uuid(o.store)) usage_error("--store must be a UUID, not \"" + o.store + "\"");
    if (o.inputs.empty()) usage_error("no input: give files, directories, or - for standard input");
    int stdin_count = 0;
    for (const auto &in : o.inputs) stdin_count += in == "-";
    if (stdin_count > 1) usage_error("standard input (-) can be given only once");
    return o;
}

// ---------------------------------------------------------------------------------------------
// Inputs

// Reads the records of one file (or stdin) in chunks.
class Reader {
public:
    explicit Reader(const std::string &path) : path_(path) {
        if (path == "-") {
            fd_ = 0;
        } else {
            fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd_ < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
        }
        buf_.resize(kReadChunk);
    }
    ~Reader() {
        if (fd_ > 0) ::close(fd_);
    }
    Reader(const Reader &) = delete;
    Reader &operator=(const Reader &) = delete;

    // False at the end of the input, or when interrupted while waiting for input.
    bool next(Record &r) {
        while (!splitter_.next(r)) {
            if (eof_) return false;
            ssize_t n = ::read(fd_, buf_.data(), buf_.size());
            if (n < 0) {
                if (errno == EINTR) {
                    if (interrupted()) return false;
                    continue;
                }
                throw std::runtime_error(path_ + ": " + std::strerror(errno));
            }
            if (n == 0) {
                eof_ = true;
                splitter_.finish();
                continue;
            }
            splitter_.feed(std::string_view(buf_.data(), static_cast<std::size_t>(n)));
        }
        return true;
    }

private:
    std::string path_;
    int fd_ = -1;
    bool eof_ = false;
    std::vector<char> buf_;
    RecordSplitter splitter_;
};

struct Source {
    std::string path;     // as shown to the user
    std::string key;      // woo.load_checkpoints.source: absolute path, or "-"
    Resource resource = Resource::orders;
    bool inferred = false;
    std::uint64_t bytes = 0;
    std::unique_ptr<Reader> reader;      // stdin: opened (and its first record read) while planning
    std::optional<Record> first;         // stdin: that first record
};

bool is_input_file(const fs::path &p) {
    auto ext = p.extension().string();
    return ext == ".json" || ext == ".ndjson" || ext == ".jsonl";
}

// Expands the inputs, tells each file's resource, and orders them for loading.
std::vector<Source> plan_sources(const Options &o) {
    std::vector<Source> out;
    std::set<std::string> seen;
    auto add = [&](const std::string &path) {
        Source s;
        s.path = path;
        if (path == "-") {
            s.key = "-";
        } else {
            std::error_code ec;
            s.key = fs::weakly_canonical(fs::absolute(path), ec).string();
            if (ec) s.key = fs::absolute(path).lexically_normal().string();
        }
        if (!seen.insert(s.key).second) return;   // the same file named twice is loaded once
        if (path != "-") {
            struct stat st {};
            if (::stat(path.c_str(), &st) == 0) s.bytes = static_cast<std::uint64_t>(st.st_size);
        }
        if (o.resource) {
            s.resource = *o.resource;
            if (path == "-") s.reader = std::make_unique<Reader>(path);
        } else {
            auto reader = std::make_unique<Reader>(path);
            Record first;
            if (!reader->next(first)) return;   // no record: nothing to load
            auto r = infer_resource(first.json);
            if (!r)
                throw std::runtime_error(path + ": cannot tell which WooCommerce resource record 1 (line " +
                                         std::to_string(first.line) + ") is; pass --resource");
            s.resource = *r;
            s.inferred = true;
            if (path == "-") {
                s.reader = std::move(reader);
                s.first = std::move(first);
            }
        }
        out.push_back(std::move(s));
    };
    for (const auto &in : o.inputs) {
        if (in == "-") {
            add(in);
            continue;
        }
        std::error_code ec;
        auto st = fs::status(in, ec);
        if (ec || !fs::exists(st)) throw std::runtime_error(in + ": no such file or directory");
        if (fs::is_directory(st)) {
            std::vector<std::string> files;
            for (auto it = fs::recursive_directory_iterator(in); it != fs::recursive_directory_iterator(); ++it)
                if (it->is_regular_file() && is_input_file(it->path())) files.push_back(it->path().string());
            std::sort(files.begin(), files.end());
            for (const auto &f : files) add(f);
        } else {
            add(in);
        }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Source &a, const Source &b) { return load_rank(a.resource) < load_rank(b.resource); });
    return out;
}

// ---------------------------------------------------------------------------------------------
// Database

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;
using ConnPtr = std::unique_ptr<PGconn, decltype(&PQfinish)>;

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

std::string error_text(const PGresult *r, const PGconn *c) {
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string s;
    if (primary) {
        s = std::string("ERROR ") + (state ? state : "") + ": " + primary;
        if (const char *d = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL)) s += std::string(" (") + d + ")";
        if (const char *h = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT)) s += std::string(" HINT: ") + h;
    } else {
        s = trim(r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r) : PQerrorMessage(c));
    }
    return s;
}

Failure classify(const PGresult *r, const PGconn *c) {
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    const char *constraint = r ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME) : nullptr;
    return classify_failure(PQstatus(c) == CONNECTION_BAD, state, constraint);
}

std::chrono::milliseconds backoff(int attempt) {
    long ms = 200L << std::min(attempt, 5);
    return std::chrono::milliseconds(std::min(ms, 5000L));
}

// Connects, retrying with backoff. Returns null (and the last error) when every attempt failed.
ConnPtr connect_db(const std::string &conninfo, int retries, std::string &error) {
    const char *keys[] = {"dbname", "fallback_application_name", nullptr};
    const char *vals[] = {conninfo.c_str(), "woo-load", nullptr};
    for (int attempt = 0;; ++attempt) {
        ConnPtr c(PQconnectdbParams(keys, vals, 1), &PQfinish);
        if (c && PQstatus(c.get()) == CONNECTION_OK) return c;
        error = c ? trim(PQerrorMessage(c.get())) : "out of memory";
        if (attempt >= retries || interrupted()) return ConnPtr(nullptr, &PQfinish);
        std::this_thread::sleep_for(backoff(attempt));
    }
}

// Runs one statement synchronously (outside pipeline mode); throws with the server's message.
ResultPtr exec(PGconn *c, const char *sql, std::vector<const char *> params = {}) {
    ResultPtr r(PQexecParams(c, sql, static_cast<int>(params.size()), nullptr, params.data(), nullptr, nullptr, 0),
                &PQclear);
    auto st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) throw std::runtime_error(error_text(r.get(), c));
    return r;
}

// BEGIN; woo.set_store(store); f(); COMMIT — rolled back on error.
template <typename F>
void in_store_transaction(PGconn *c, const std::string &store, F &&f) {
    exec(c, "BEGIN");
    try {
        exec(c, "SELECT woo.set_store($1::uuid)", {store.c_str()});
        f();
        exec(c, "COMMIT");
    } catch (...) {
        PQclear(PQexec(c, "ROLLBACK"));
        throw;
    }
}

const char *kUpsertSql =
    "WITH r AS MATERIALIZED (SELECT * FROM woo.upsert_%s($1::uuid, $2::jsonb, $3::boolean)), "
    "c AS (INSERT INTO woo.load_checkpoints (store_id, sync_id, source, first_record, records, resource, "
    "inserted, updated, unchanged, skipped_stale, rejected) "
    "SELECT $1::uuid, $4::uuid, $5::text, $6::bigint, $7::integer, '%s', "
    "r.inserted, r.updated, r.unchanged, r.skipped_stale, r.rejected FROM r) "
    "SELECT inserted, updated, unchanged, skipped_stale, rejected FROM r";

void prepare_statements(PGconn *c) {
    // Each batch's transaction holds the sync's batch lock (shared): a --resume
    // takes it exclusively before it reads the checkpoints, so it waits for the
    // batches an earlier, killed run still had running in the server.
    ResultPtr r(PQprepare(c, "bind",
                          "SELECT woo.set_store($1::uuid), "
                          "pg_catalog.pg_advisory_xact_lock_shared(pg_catalog.hashtextextended('woo-load batch ' || $2, 0))",
                          2, nullptr),
                &PQclear);
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) throw std::runtime_error(error_text(r.get(), c));
    for (int i = 0; i < kResourceCount; ++i) {
        const char *name = resource_name(static_cast<Resource>(i));
        char sql[1024];
        std::snprintf(sql, sizeof sql, kUpsertSql, name, name);
        ResultPtr p(PQprepare(c, name, sql, 7, nullptr), &PQclear);
        if (PQresultStatus(p.get()) != PGRES_COMMAND_OK) throw std::runtime_error(error_text(p.get(), c));
    }
}

// Prepares the statements and enters pipeline mode: a worker's connection. Throws on failure.
void start_pipeline(PGconn *c) {
    prepare_statements(c);
    if (!PQenterPipelineMode(c)) throw std::runtime_error(trim(PQerrorMessage(c)));
}

// ---------------------------------------------------------------------------------------------
// The load

struct Counts {
    std::uint64_t records = 0, inserted = 0, updated = 0, unchanged = 0, stale = 0, rejected = 0;
    void add(const Counts &o) {
        records += o.records, inserted += o.inserted, updated += o.updated, unchanged += o.unchanged;
        stale += o.stale, rejected += o.rejected;
    }
};

std::uint64_t u64(const PGresult *r, int row, int col) { return std::strtoull(PQgetvalue(r, row, col), nullptr, 10); }

// A batch's counts from columns col..col+4 of a row: inserted, updated, unchanged,
// skipped_stale, rejected (the upsert statement's result, or a checkpoint's).
Counts counts_at(const PGresult *r, int row, int col, std::uint64_t records = 0) {
    return Counts{records, u64(r, row, col), u64(r, row, col + 1), u64(r, row, col + 2), u64(r, row, col + 3),
                  u64(r, row, col + 4)};
}

struct Batch {
    std::size_t source = 0;
    Resource resource = Resource::orders;
    std::uint64_t first = 0, count = 0, bytes = 0;
    std::string payload;
    int attempts = 0;
};

class Run {
public:
    Run(const Options &o, std::vector<Source> &sources, std::string sync_id)
        : o_(o), sources_(sources), sync_id_(std::move(sync_id)), strict_(o.lenient ? "false" : "true") {}

    // Producer side -------------------------------------------------------------------------
    bool push(Batch b) {   // false: the run is stopping
        std::unique_lock<std::mutex> lock(mu_);
        while ((queue_.size() >= capacity() || (queued_bytes_ > kMaxQueuedBytes && !queue_.empty())) && !stopping())
            space_.wait_for(lock, std::chrono::milliseconds(100));
        if (stopping()) return false;
        queued_bytes_ += b.payload.size();
        queue_.push_back(std::move(b));
        ++outstanding_;
        work_.notify_one();
        return true;
    }
    void close() {
        std::lock_guard<std::mutex> lock(mu_);
        closed_ = true;
        work_.notify_all();
    }
    void fail(const std::string &message, Failure kind = Failure::Permanent) {
        std::lock_guard<std::mutex> lock(mu_);
        if (failure_.empty()) {
            failure_ = message;
            failure_kind_ = kind;
        }
        failed_ = true;
        work_.notify_all();
        space_.notify_all();
    }
    bool stopping() const { return failed_ || interrupted(); }
    // Waits until every batch handed over so far has committed (or the run stops):
    // a resource's records are all in before the next resource's start.
    void barrier() {
        std::unique_lock<std::mutex> lock(mu_);
        while (outstanding_ > 0 && !stopping()) idle_.wait_for(lock, std::chrono::milliseconds(100));
    }
    void skipped_bytes(std::uint64_t n) { bytes_skipped_ += n; }

    // Workers ---------------------------------------------------------------------------------
    void worker() {
        std::string err;
        ConnPtr conn = open_pipeline(err);
        if (!conn) {
            fail("could not connect: " + err, Failure::Connection);
            return;
        }
        std::deque<Batch> inflight, retry;
        for (;;) {
            while (inflight.size() < kPipelineDepth && !stopping()) {
                std::optional<Batch> b;
                if (!retry.empty()) {
                    b = std::move(retry.front());
                    retry.pop_front();
                } else {
                    b = take(inflight.empty());
                }
                if (!b) break;
                inflight.push_back(std::move(*b));
                if (!send(conn.get(), inflight.back())) {
                    // The pipeline may now hold half a batch: start over on a new connection.
                    if (!reconnect(conn, inflight, retry, trim(PQerrorMessage(conn.get())))) return;
                }
            }
            if (inflight.empty()) return;
            Batch &b = inflight.front();
            std::string message;
            Counts got;
            Failure f = collect(conn.get(), got, message);
            if (f == Failure::None) {
                committed(b, got);
                inflight.pop_front();
            } else if (f == Failure::Transient && b.attempts < o_.retries) {
                ++b.attempts;
                std::this_thread::sleep_for(backoff(b.attempts));
                retry.push_back(std::move(b));
                inflight.pop_front();
            } else if (f == Failure::Connection) {
                // Each in-flight batch may or may not have committed: its checkpoint row tells.
                if (!reconnect(conn, inflight, retry, message)) return;
            } else {
                fail(where(b) + ": " + message +
                     (f == Failure::Transient ? " (gave up after " + std::to_string(o_.retries) + " retries)" : ""));
                inflight.pop_front();
                finished();
            }
        }
    }

    Counts totals() const {
        std::lock_guard<std::mutex> lock(stats_mu_);
        return totals_;
    }
    std::uint64_t bytes_done() const { return bytes_done_; }         // of committed batches
    std::uint64_t bytes_skipped() const { return bytes_skipped_; }   // of records committed by an earlier run
    std::string failure() const {
        std::lock_guard<std::mutex> lock(mu_);
        return failure_;
    }
    Failure failure_kind() const {
        std::lock_guard<std::mutex> lock(mu_);
        return failure_kind_;
    }

private:
    std::size_t capacity() const { return static_cast<std::size_t>(o_.jobs) * kPipelineDepth * 2; }

    std::optional<Batch> take(bool wait) {
        std::unique_lock<std::mutex> lock(mu_);
        for (;;) {
            if (stopping()) return std::nullopt;
            if (!queue_.empty()) {
                Batch b = std::move(queue_.front());
                queue_.pop_front();
                queued_bytes_ -= b.payload.size();
                space_.notify_one();
                return b;
            }
            if (closed_ || !wait) return std::nullopt;
            work_.wait_for(lock, std::chrono::milliseconds(100));
        }
    }

    std::string where(const Batch &b) const {
        const Source &s = sources_[b.source];
        return s.path + ", " + resource_name(b.resource) + " records " + std::to_string(b.first) + "-" +
               std::to_string(b.first + b.count - 1) + " (one batch)";
    }

    ConnPtr open_pipeline(std::string &err) {
        ConnPtr c = connect_db(o_.db, o_.retries, err);
        if (!c) return c;
        try {
            start_pipeline(c.get());
        } catch (const std::exception &e) {
            err = e.what();
            return ConnPtr(nullptr, &PQfinish);
        }
        return c;
    }

    bool send(PGconn *c, const Batch &b) {
        const std::string first = std::to_string(b.first), count = std::to_string(b.count);
        const char *bind[] = {o_.store.c_str(), sync_id_.c_str()};
        const char *params[] = {o_.store.c_str(), b.payload.c_str(), strict_, sync_id_.c_str(),
                                sources_[b.source].key.c_str(), first.c_str(), count.c_str()};
        return PQsendQueryPrepared(c, "bind", 2, bind, nullptr, nullptr, 0) &&
               PQsendQueryPrepared(c, resource_name(b.resource), 7, params, nullptr, nullptr, 0) &&
               PQpipelineSync(c);
    }

    // Reads the results of the oldest batch: bind, upsert, sync.
    Failure collect(PGconn *c, Counts &got, std::string &message) {
        Failure f = Failure::None;
        int nulls = 0, seen = 0;
        for (;;) {
            ResultPtr r(PQgetResult(c), &PQclear);
            if (!r) {
                if (++nulls > 1 || PQstatus(c) == CONNECTION_BAD) {
                    message = trim(PQerrorMessage(c));
                    return Failure::Connection;
                }
                continue;
            }
            nulls = 0;
            switch (PQresultStatus(r.get())) {
            case PGRES_PIPELINE_SYNC:
                return f;
            case PGRES_TUPLES_OK:
                if (++seen == 2 && PQntuples(r.get()) == 1 && PQnfields(r.get()) == 5) got = counts_at(r.get(), 0, 0);
                break;
            case PGRES_PIPELINE_ABORTED:
                break;
            case PGRES_FATAL_ERROR:
            case PGRES_NONFATAL_ERROR:
            default:
                if (f == Failure::None) {
                    f = classify(r.get(), c);
                    message = error_text(r.get(), c);
                    if (f == Failure::Connection) return f;
                }
                break;
            }
        }
    }

    void committed(const Batch &b, Counts got) {
        got.records = b.count;
        {
            std::lock_guard<std::mutex> lock(stats_mu_);
            totals_.add(got);
            bytes_done_ += b.bytes;
        }
        finished();
    }
    void finished() {
        std::lock_guard<std::mutex> lock(mu_);
        if (outstanding_ > 0 && --outstanding_ == 0) idle_.notify_all();
    }

    // After a lost connection: reconnect, count the in-flight batches whose
    // checkpoint committed, and queue the others again. Nothing is changed
    // until an attempt has fully succeeded.
    bool reconnect(ConnPtr &conn, std::deque<Batch> &inflight, std::deque<Batch> &retry, const std::string &why) {
        const int old_pid = conn ? PQbackendPID(conn.get()) : 0;
        conn.reset();
        // The batch at the head is charged with the loss: one that keeps breaking its
        // connection (a record that crashes the backend, say) stops the run.
        if (!inflight.empty() && ++inflight.front().attempts > o_.retries) {
            fail(where(inflight.front()) + ": the connection was lost while it ran, " +
                 std::to_string(o_.retries + 1) + " times (" + why + ")");
            return false;
        }
        std::string err = "no attempt";
        for (int attempt = 0;; ++attempt) {
            if (interrupted()) return false;
            if (attempt > o_.retries) {
                fail("lost the connection (" + why + ") and could not reconnect: " + err, Failure::Connection);
                return false;
            }
            std::this_thread::sleep_for(backoff(attempt));
            ConnPtr fresh = connect_db(o_.db, 0, err);
            if (!fresh) continue;
            try {
                // The old session may still be finishing a batch (when the client noticed
                // the loss first): wait until it is gone, so that its commit is seen below.
                if (old_pid > 0) {
                    const std::string pid = std::to_string(old_pid);
                    for (int i = 0; i < 300 && !interrupted(); ++i) {
                        if (PQntuples(exec(fresh.get(), "SELECT 1 FROM pg_catalog.pg_stat_activity WHERE pid = $1::int",
                                           {pid.c_str()}).get()) == 0)
                            break;
                        std::this_thread::sleep_for(std::chrono::milliseconds(100));
                    }
                }
                std::vector<std::optional<Counts>> found(inflight.size());
                in_store_transaction(fresh.get(), o_.store, [&] {
                    for (std::size_t k = 0; k < inflight.size(); ++k) {
                        const Batch &b = inflight[k];
                        const std::string first = std::to_string(b.first);
                        ResultPtr r = exec(fresh.get(),
                                           "SELECT inserted, updated, unchanged, skipped_stale, rejected "
                                           "FROM woo.load_checkpoints WHERE sync_id = $1 AND source = $2 AND first_record = $3",
                                           {sync_id_.c_str(), sources_[b.source].key.c_str(), first.c_str()});
                        if (PQntuples(r.get()) == 1) found[k] = counts_at(r.get(), 0, 0);
                    }
                });
                start_pipeline(fresh.get());
                for (std::size_t k = 0; k < inflight.size(); ++k) {
                    if (found[k]) committed(inflight[k], *found[k]);
                    else retry.push_back(std::move(inflight[k]));
                }
                inflight.clear();
                std::sort(retry.begin(), retry.end(), [](const Batch &a, const Batch &b) {
                    return a.source != b.source ? a.source < b.source : a.first < b.first;
                });
                conn = std::move(fresh);
                return true;
            } catch (const std::exception &e) {
                err = e.what();
                continue;
            }
        }
    }

    const Options &o_;
    std::vector<Source> &sources_;
    const std::string sync_id_;
    const char *strict_;

    mutable std::mutex mu_;
    std::condition_variable work_, space_, idle_;
    std::deque<Batch> queue_;
    std::size_t outstanding_ = 0;   // handed over, not yet committed or given up
    std::size_t queued_bytes_ = 0;
    bool closed_ = false;
    std::atomic<bool> failed_{false};
    std::string failure_;
    Failure failure_kind_ = Failure::None;

    mutable std::mutex stats_mu_;
    Counts totals_;
    std::atomic<std::uint64_t> bytes_done_{0}, bytes_skipped_{0};
};

// Reads every source, cuts batches around committed ranges, and hands them to the workers.
void produce(Run &run, std::vector<Source> &sources, const Options &o,
             std::map<std::string, std::vector<Range>> &done) {
    for (std::size_t i = 0; i < sources.size() && !run.stopping(); ++i) {
        Source &s = sources[i];
        // Categories and products must be in before the orders that point to them.
        if (i > 0 && sources[i - 1].resource != s.resource) run.barrier();
        if (run.stopping()) return;
        Batcher batcher(o.batch, done[s.key], kMaxBatchBytes);
        try {
            std::unique_ptr<Reader> reader = std::move(s.reader);
            if (!reader) reader = std::make_unique<Reader>(s.path);
            std::optional<Record> pending = std::move(s.first);
            // Progress counts input bytes: each record stands for the bytes since the previous one.
            std::uint64_t prev_end = 0, pending_bytes = 0;
            auto hand_over = [&](std::optional<Batcher::Batch> b, std::uint64_t bytes) {
                if (!b) return true;
                return run.push(Batch{i, s.resource, b->first, b->count, bytes, std::move(b->payload), 0});
            };
            Record rec;
            for (;;) {
                if (run.stopping()) return;
                if (pending) {
                    rec = std::move(*pending);
                    pending.reset();
                } else if (!reader->next(rec)) {
                    break;
                }
                const std::uint64_t span = rec.end - std::min(prev_end, rec.end);
                prev_end = rec.end;
                if (!batcher.wanted(rec.index)) {
                    run.skipped_bytes(span);
                    continue;
                }
                if (s.inferred) {
                    auto r = infer_resource(rec.json);
                    if (r && *r != s.resource)
                        throw std::runtime_error(std::string("record ") + std::to_string(rec.index) + " (line " +
                                                 std::to_string(rec.line) + ") is one of the " + resource_name(*r) +
                                                 ", but the file holds " + resource_name(s.resource) +
                                                 "; one kind per file, or pass --resource");
                }
                if (auto full = batcher.push(rec.index, rec.json)) {
                    if (!hand_over(std::move(full), pending_bytes)) return;
                    pending_bytes = 0;
                }
                pending_bytes += span;
            }
            if (interrupted()) return;
            const std::uint64_t tail = s.bytes > prev_end ? s.bytes - prev_end : 0;
            if (auto last = batcher.flush()) {
                if (!hand_over(std::move(last), pending_bytes + tail)) return;
            } else {
                run.skipped_bytes(tail);
            }
        } catch (const std::exception &e) {
            std::string what = e.what();
            run.fail(what.rfind(s.path, 0) == 0 ? what : s.path + ": " + what);
            return;
        }
    }
}

// Progress on stderr: a redrawn bar on a terminal, a line every few seconds otherwise.
class Progress {
public:
    Progress(const Run &run, Options::Progress mode, std::uint64_t total_bytes) : run_(run), total_(total_bytes) {
        bar_ = mode == Options::Progress::Bar || (mode == Options::Progress::Auto && isatty(2));
        on_ = mode != Options::Progress::None;
        if (on_) thread_ = std::thread([this] { loop(); });
    }
    ~Progress() { stop(); }
    void stop() {
        if (!thread_.joinable()) return;
        {
            std::lock_guard<std::mutex> lock(mu_);
            done_ = true;
        }
        cv_.notify_all();
        thread_.join();
        if (bar_) std::fputs("\n", stderr);
    }

private:
    void loop() {
        auto period = bar_ ? std::chrono::milliseconds(250) : std::chrono::milliseconds(2000);
        std::unique_lock<std::mutex> lock(mu_);
        while (!cv_.wait_for(lock, period, [&] { return done_; })) draw();
        draw();
    }
    void draw() {
        Counts c = run_.totals();
        double secs = std::chrono::duration<double>(Clock::now() - start_).count();
        double rate = secs > 0 ? c.records / secs : 0;
        const std::uint64_t sent = run_.bytes_done(), done = sent + run_.bytes_skipped();
        std::string eta = "?";
        double frac = total_ ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total_)) : 0;
        if (total_ && sent > 0 && secs > 0.5) {   // the rate counts what this run committed, not what it skipped
            double brate = static_cast<double>(sent) / secs;
            eta = clock_text(static_cast<double>(total_ > done ? total_ - done : 0) / brate);
        }
        char line[256];
        if (bar_) {
            const int width = 24;
            int fill = static_cast<int>(frac * width);
            std::string bar = std::string(static_cast<std::size_t>(fill), '#') + std::string(static_cast<std::size_t>(width - fill), '.');
            std::snprintf(line, sizeof line, "\r[%s] %3.0f%% %s records  %s/s  ETA %s  rejected %s   ",
                          total_ ? bar.c_str() : "........................", frac * 100, with_commas(c.records).c_str(),
                          with_commas(static_cast<std::uint64_t>(rate)).c_str(), eta.c_str(),
                          with_commas(c.rejected).c_str());
        } else {
            std::snprintf(line, sizeof line, "woo-load: %s records committed (%s/s), %s%s ETA %s, %s rejected, %s\n",
                          with_commas(c.records).c_str(), with_commas(static_cast<std::uint64_t>(rate)).c_str(),
                          total_ ? std::to_string(static_cast<int>(frac * 100)).c_str() : "?",
                          "% of the input,", eta.c_str(), with_commas(c.rejected).c_str(), clock_text(secs).c_str());
        }
        std::fputs(line, stderr);
        std::fflush(stderr);
    }

    const Run &run_;
    std::uint64_t total_;
    bool bar_ = false, on_ = false, done_ = false;
    Clock::time_point start_ = Clock::now();
    std::mutex mu_;
    std::condition_variable cv_;
    std::thread thread_;
};

std::string sync_type_of(const Options &o, const std::vector<Source> &sources) {
    if (o.resource) return resource_name(*o.resource);
    if (sources.empty()) return "full";
    for (const auto &s : sources)
        if (s.resource != sources.front().resource) return "full";
    return resource_name(sources.front().resource);
}

int main_(int argc, char **argv) {
    Options o = parse_options(argc, argv);

    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;   // no SA_RESTART: a read() waiting on stdin returns EINTR
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    std::vector<Source> sources;
    try {
        sources = plan_sources(o);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "woo-load: %s\n", e.what());
        return kExitFailed;
    }
    const std::string sync_type = sync_type_of(o, sources);

    std::string err;
    ConnPtr control = connect_db(o.db, o.retries, err);
    if (!control) {
        std::fprintf(stderr, "woo-load: could not connect to the database after %d attempt%s: %s\n", o.retries + 1,
                     o.retries ? "s" : "", err.c_str());
        return interrupted() ? kExitInterrupted : kExitConnect;
    }

    // One run per store and kind at a time: a session advisory lock held by the
    // control connection for the whole run (released when it ends, or when a
    // killed run's connection goes away).
    try {
        const char *lock_sql = "SELECT pg_catalog.pg_%sadvisory_lock(pg_catalog.hashtextextended('woo-load run ' || $1 || ' ' || $2, 0))";
        char sql[256];
        std::snprintf(sql, sizeof sql, lock_sql, "try_");
        ResultPtr r = exec(control.get(), sql, {o.store.c_str(), sync_type.c_str()});
        if (std::string(PQgetvalue(r.get(), 0, 0)) != "t") {
            std::fprintf(stderr, "woo-load: waiting for another woo-load run of this store's %s to end\n", sync_type.c_str());
            std::snprintf(sql, sizeof sql, lock_sql, "");
            exec(control.get(), sql, {o.store.c_str(), sync_type.c_str()});
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "woo-load: %s\n", e.what());
        return interrupted() ? kExitInterrupted : kExitFailed;
    }

    // Open (or resume) the sync, and read what earlier runs committed.
    std::string sync_id;
    std::map<std::string, std::vector<Range>> done;
    Counts before;
    try {
        in_store_transaction(control.get(), o.store, [&] {
            if (PQntuples(exec(control.get(), "SELECT 1 FROM public.stores WHERE id = $1::uuid", {o.store.c_str()}).get()) != 1)
                throw std::runtime_error("store " + o.store + " does not exist (or this login cannot see it)");
            if (o.resume) {
                ResultPtr r = exec(control.get(),
                                   "SELECT id FROM public.sync_logs WHERE store_id = $1::uuid AND sync_type = $2 "
                                   "AND status IN ('running', 'failed') ORDER BY started_at DESC LIMIT 1",
                                   {o.store.c_str(), sync_type.c_str()});
                if (PQntuples(r.get()) == 1) sync_id = PQgetvalue(r.get(), 0, 0);
            }
            if (!sync_id.empty()) {
                // Batches of an earlier run still finishing in the server commit (or
                // not) before the checkpoints are read.
                exec(control.get(), "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('woo-load batch ' || $1, 0))",
                     {sync_id.c_str()});
                exec(control.get(),
                     "UPDATE public.sync_logs SET status = 'running', completed_at = NULL, error_message = NULL, "
                     "next_retry_at = NULL WHERE id = $1::uuid",
                     {sync_id.c_str()});
                ResultPtr r = exec(control.get(),
                                   "SELECT source, first_record, records, inserted, updated, unchanged, skipped_stale, rejected "
                                   "FROM woo.load_checkpoints WHERE sync_id = $1::uuid",
                                   {sync_id.c_str()});
                for (int i = 0; i < PQntuples(r.get()); ++i) {
                    done[PQgetvalue(r.get(), i, 0)].push_back(Range{u64(r.get(), i, 1), u64(r.get(), i, 2)});
                    before.add(counts_at(r.get(), i, 3, u64(r.get(), i, 2)));
                }
            } else {
                ResultPtr r = exec(control.get(), "SELECT woo.sync_start($1::uuid, $2)", {o.store.c_str(), sync_type.c_str()});
                sync_id = PQgetvalue(r.get(), 0, 0);
            }
        });
    } catch (const std::exception &e) {
        std::fprintf(stderr, "woo-load: %s\n", e.what());
        return kExitFailed;
    }
    if (o.resume) {
        if (before.records || !done.empty())
            std::fprintf(stderr, "resuming sync %s: %s records already committed\n", sync_id.c_str(),
                         with_commas(before.records).c_str());
        else
            std::fprintf(stderr, "woo-load: no unfinished %s load of this store to resume; sync %s starts afresh\n",
                         sync_type.c_str(), sync_id.c_str());
    }

    std::uint64_t total_bytes = 0;
    bool sized = true;
    for (const auto &s : sources) {
        total_bytes += s.bytes;
        sized = sized && s.key != "-";
    }

    const auto t0 = Clock::now();
    Run run(o, sources, sync_id);
    std::vector<std::thread> workers;
    {
        Progress progress(run, o.progress, sized ? total_bytes : 0);
        for (int i = 0; i < o.jobs; ++i) workers.emplace_back([&run] { run.worker(); });
        produce(run, sources, o, done);
        run.close();
        for (auto &w : workers) w.join();
        progress.stop();
    }
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    Counts now = run.totals();
    std::uint64_t all = before.records + now.records;

    std::string failure = run.failure();
    const char *status = failure.empty() ? (interrupted() ? "interrupted" : "completed") : "failed";
    std::string error;
    if (!failure.empty()) error = failure;
    else if (interrupted()) error = "interrupted by signal after " + std::to_string(all) + " records; continue with --resume";

    // Close the sync (on a fresh connection if the control one was lost meanwhile).
    auto finish = [&](PGconn *c) {
        in_store_transaction(c, o.store, [&] {
            const std::string n = std::to_string(std::min<std::uint64_t>(all, 2147483647));
            if (error.empty()) exec(c, "SELECT woo.sync_finish($1::uuid, $2::integer)", {sync_id.c_str(), n.c_str()});
            else exec(c, "SELECT woo.sync_finish($1::uuid, $2::integer, $3)", {sync_id.c_str(), n.c_str(), error.c_str()});
        });
    };
    std::string finish_error;
    for (int attempt = 0;; ++attempt) {
        try {
            finish(control.get());
            finish_error.clear();
            break;
        } catch (const std::exception &e) {
            finish_error = e.what();
            // The control connection may have been lost while the workers ran: reconnect.
            if (PQstatus(control.get()) != CONNECTION_BAD || attempt >= o.retries) break;
            std::this_thread::sleep_for(backoff(attempt));
            PQreset(control.get());
        }
    }

    if (!failure.empty()) {
        std::fprintf(stderr, "woo-load: %s\n", failure.c_str());
        std::fprintf(stderr, "woo-load: %s records committed before the failure stay committed; "
                             "fix the record in place (every record keeps its position in its file) "
                             "and run again with --resume%s\n",
                     with_commas(all).c_str(), o.lenient ? "" : " (or --lenient to set bad records aside)");
    } else if (interrupted()) {
        std::fprintf(stderr, "woo-load: interrupted; %s records committed; continue with --resume\n", with_commas(all).c_str());
    }
    if (!finish_error.empty()) std::fprintf(stderr, "woo-load: could not close sync %s: %s\n", sync_id.c_str(), finish_error.c_str());
    if (now.rejected) std::fprintf(stderr, "woo-load: %s records set aside in woo.ingest_rejects\n", with_commas(now.rejected).c_str());

    std::printf("woo-load: status=%s records=%llu inserted=%llu updated=%llu unchanged=%llu stale=%llu rejected=%llu "
                "elapsed=%.2fs rate=%.0f/s sync=%s\n",
                status, static_cast<unsigned long long>(now.records), static_cast<unsigned long long>(now.inserted),
                static_cast<unsigned long long>(now.updated), static_cast<unsigned long long>(now.unchanged),
                static_cast<unsigned long long>(now.stale), static_cast<unsigned long long>(now.rejected), secs,
                secs > 0 ? now.records / secs : 0.0, sync_id.c_str());
    std::fflush(stdout);
    if (!failure.empty()) return run.failure_kind() == Failure::Connection ? kExitConnect : kExitFailed;
    if (interrupted()) return kExitInterrupted;
    return finish_error.empty() ? kExitOk : kExitFailed;
}

}  // namespace

int main(int argc, char **argv) {
    try {
        return main_(argc, argv);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "woo-load: %s\n", e.what());
        return kExitFailed;
    }
}
