// woo-load's internal declarations, one section per file:
//   cli.cpp       the command line: Options, parse_options, --help, usage errors
//   sources.cpp   the inputs: Reader (records of one file or stdin), Source, plan_sources
//   db.cpp        libpq: connections, statements, errors and their classification, backoff
//   run.cpp       the load: Counts, Batch, Run (the queue and its pipelined workers), produce
//   progress.cpp  the progress bar or lines on stderr
//   woo_load.cpp  main: signals, opening or resuming the sync, closing it, the summary line
// The libpq-free parts are records.hpp, retry.hpp and format.hpp (unit-tested alone).
#pragma once

#include "format.hpp"
#include "records.hpp"
#include "retry.hpp"

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace woo::load {

using Clock = std::chrono::steady_clock;

constexpr int kExitOk = 0, kExitFailed = 1, kExitUsage = 2, kExitConnect = 3, kExitInterrupted = 130;

// A SIGINT or SIGTERM arrived: stop reading, let the batches in flight finish (woo_load.cpp).
bool interrupted();

// ---------------------------------------------------------------------------------------------
// cli.cpp

struct Options {
    std::string db, store;
    std::optional<Resource> resource;
    std::size_t batch = 100;
    int jobs = 1, retries = 5;
    bool lenient = false, resume = false;
    enum class Progress { Auto, Bar, Lines, None } progress = Progress::Auto;
    std::vector<std::string> inputs;
};

// Exits with kExitUsage on a usage error, with kExitOk after --help or --version.
Options parse_options(int argc, char **argv);

// ---------------------------------------------------------------------------------------------
// sources.cpp

// Reads the records of one file (or stdin) in chunks.
class Reader {
public:
    explicit Reader(const std::string &path);
    ~Reader();
    Reader(const Reader &) = delete;
    Reader &operator=(const Reader &) = delete;

    // False at the end of the input, or when interrupted while waiting for input.
    bool next(Record &r);

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

// Expands the inputs, tells each file's resource, and orders them for loading.
std::vector<Source> plan_sources(const Options &o);

// ---------------------------------------------------------------------------------------------
// db.cpp

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;
using ConnPtr = std::unique_ptr<PGconn, decltype(&PQfinish)>;

// s without its trailing newlines and spaces (libpq's messages end with one).
std::string trim(std::string s);
// The server's error (SQLSTATE, message, detail, hint), or libpq's.
std::string error_text(const PGresult *r, const PGconn *c);
// What to do about a failed result: classify_failure on its fields.
Failure classify(const PGresult *r, const PGconn *c);
// How long to wait before retry `attempt` (0-based): 200 ms doubling, at most 5 s.
std::chrono::milliseconds backoff(int attempt);

// Connects, retrying with backoff. Returns null (and the last error) when every attempt failed.
ConnPtr connect_db(const std::string &conninfo, int retries, std::string &error);

// Runs one statement synchronously (outside pipeline mode); throws with the server's message.
ResultPtr exec(PGconn *c, const char *sql, std::vector<const char *> params = {});

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

// Prepares the statements and enters pipeline mode: a worker's connection. Throws on failure.
void start_pipeline(PGconn *c);

// ---------------------------------------------------------------------------------------------
// run.cpp

struct Counts {
    std::uint64_t records = 0, inserted = 0, updated = 0, unchanged = 0, skipped_stale = 0, rejected = 0;
    void add(const Counts &o) {
        records += o.records, inserted += o.inserted, updated += o.updated, unchanged += o.unchanged;
        skipped_stale += o.skipped_stale, rejected += o.rejected;
    }
};

// A field of a result row read as an unsigned integer (a count or a record position).
std::uint64_t u64(const PGresult *r, int row, int col);
// A batch's counts from columns col..col+4 of a row: inserted, updated, unchanged,
// skipped_stale, rejected (the upsert statement's result, or a checkpoint's).
Counts counts_at(const PGresult *r, int row, int col, std::uint64_t records = 0);

struct Batch {
    std::size_t source = 0;
    Resource resource = Resource::orders;
    std::uint64_t first = 0, count = 0, bytes = 0;
    std::string payload;
    int attempts = 0;
};

// The batches of a load between the producer and the workers (one connection
// each, in pipeline mode), and what they committed.
class Run {
public:
    Run(const Options &o, std::vector<Source> &sources, std::string sync_id)
        : o_(o), sources_(sources), sync_id_(std::move(sync_id)), strict_(o.lenient ? "false" : "true") {}

    // Producer side -------------------------------------------------------------------------
    bool push(Batch b);   // false: the run is stopping
    void close();
    void fail(const std::string &message, Failure kind = Failure::Permanent);
    bool stopping() const { return failed_ || interrupted(); }
    // Waits until every batch handed over so far has committed (or the run stops):
    // a resource's records are all in before the next resource's start.
    void barrier();
    void skipped_bytes(std::uint64_t n) { bytes_skipped_ += n; }

    // Workers ---------------------------------------------------------------------------------
    void worker();

    Counts totals() const;
    std::uint64_t bytes_done() const { return bytes_done_; }         // of committed batches
    std::uint64_t bytes_skipped() const { return bytes_skipped_; }   // of records committed by an earlier run
    std::string failure() const;
    Failure failure_kind() const;

private:
    std::size_t capacity() const;
    std::optional<Batch> take(bool wait);
    std::string where(const Batch &b) const;
    ConnPtr open_pipeline(std::string &err);
    bool send(PGconn *c, const Batch &b);
    // Reads the results of the oldest batch: bind, upsert, sync.
    Failure collect(PGconn *c, Counts &got, std::string &message);
    void committed(const Batch &b, Counts got);
    void finished();
    // After a lost connection: reconnect, count the in-flight batches whose
    // checkpoint committed, and queue the others again. Nothing is changed
    // until an attempt has fully succeeded.
    bool reconnect(ConnPtr &conn, std::deque<Batch> &inflight, std::deque<Batch> &retry, const std::string &why);

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
             std::map<std::string, std::vector<Range>> &done);

// ---------------------------------------------------------------------------------------------
// progress.cpp

// Progress on stderr: a redrawn bar on a terminal, a line every few seconds otherwise.
class Progress {
public:
    Progress(const Run &run, Options::Progress mode, std::uint64_t total_bytes);
    ~Progress();
    void stop();

private:
    void loop();
    void draw();

    const Run &run_;
    std::uint64_t total_;
    bool bar_ = false, on_ = false, done_ = false;
    Clock::time_point start_ = Clock::now();
    std::mutex mu_;
    std::condition_variable cv_;
    std::thread thread_;
};

}  // namespace woo::load
