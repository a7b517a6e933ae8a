// woo-load's load: the producer cuts the sources into batches and queues them;
// each worker sends them on its own connection in pipeline mode, a few in
// flight, retries what is transient and reconnects when the connection is lost.
#include "woo_load.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace woo::load {

namespace {

constexpr std::size_t kPipelineDepth = 4;     // batches in flight per connection
constexpr std::size_t kMaxBatchBytes = std::size_t{64} << 20;    // a batch is sent early past this size
constexpr std::size_t kMaxQueuedBytes = std::size_t{256} << 20;  // batches waiting for a worker, at most

}  // namespace

std::uint64_t u64(const PGresult *r, int row, int col) { return std::strtoull(PQgetvalue(r, row, col), nullptr, 10); }

// A batch's counts from columns col..col+4 of a row: inserted, updated, unchanged,
// skipped_stale, rejected (the upsert statement's result, or a checkpoint's).
Counts counts_at(const PGresult *r, int row, int col, std::uint64_t records) {
    return Counts{records, u64(r, row, col), u64(r, row, col + 1), u64(r, row, col + 2), u64(r, row, col + 3),
                  u64(r, row, col + 4)};
}

bool Run::push(Batch b) {   // false: the run is stopping
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

void Run::close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    work_.notify_all();
}

void Run::fail(const std::string &message, Failure kind) {
    std::lock_guard<std::mutex> lock(mu_);
    if (failure_.empty()) {
        failure_ = message;
        failure_kind_ = kind;
    }
    failed_ = true;
    work_.notify_all();
    space_.notify_all();
}

// Waits until every batch handed over so far has committed (or the run stops):
// a resource's records are all in before the next resource's start.
void Run::barrier() {
    std::unique_lock<std::mutex> lock(mu_);
    while (outstanding_ > 0 && !stopping()) idle_.wait_for(lock, std::chrono::milliseconds(100));
}

void Run::worker() {
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

Counts Run::totals() const {
    std::lock_guard<std::mutex> lock(stats_mu_);
    return totals_;
}

std::string Run::failure() const {
    std::lock_guard<std::mutex> lock(mu_);
    return failure_;
}

Failure Run::failure_kind() const {
    std::lock_guard<std::mutex> lock(mu_);
    return failure_kind_;
}

std::size_t Run::capacity() const { return static_cast<std::size_t>(o_.jobs) * kPipelineDepth * 2; }

std::optional<Batch> Run::take(bool wait) {
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

std::string Run::where(const Batch &b) const {
    const Source &s = sources_[b.source];
    return s.path + ", " + resource_name(b.resource) + " records " + std::to_string(b.first) + "-" +
           std::to_string(b.first + b.count - 1) + " (one batch)";
}

ConnPtr Run::open_pipeline(std::string &err) {
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

bool Run::send(PGconn *c, const Batch &b) {
    const std::string first = std::to_string(b.first), count = std::to_string(b.count);
    const char *bind[] = {o_.store.c_str(), sync_id_.c_str()};
    const char *params[] = {o_.store.c_str(), b.payload.c_str(), strict_, sync_id_.c_str(),
                            sources_[b.source].key.c_str(), first.c_str(), count.c_str()};
    return PQsendQueryPrepared(c, "bind", 2, bind, nullptr, nullptr, 0) &&
           PQsendQueryPrepared(c, resource_name(b.resource), 7, params, nullptr, nullptr, 0) &&
           PQpipelineSync(c);
}

// Reads the results of the oldest batch: bind, upsert, sync.
Failure Run::collect(PGconn *c, Counts &got, std::string &message) {
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

void Run::committed(const Batch &b, Counts got) {
    got.records = b.count;
    {
        std::lock_guard<std::mutex> lock(stats_mu_);
        totals_.add(got);
        bytes_done_ += b.bytes;
    }
    finished();
}

void Run::finished() {
    std::lock_guard<std::mutex> lock(mu_);
    if (outstanding_ > 0 && --outstanding_ == 0) idle_.notify_all();
}

// After a lost connection: reconnect, count the in-flight batches whose
// checkpoint committed, and queue the others again. Nothing is changed
// until an attempt has fully succeeded.
bool Run::reconnect(ConnPtr &conn, std::deque<Batch> &inflight, std::deque<Batch> &retry, const std::string &why) {
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

}  // namespace woo::load
