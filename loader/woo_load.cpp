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
//
// This file is main: signals, the sync opened or resumed, the load, the sync
// closed, the summary line. The rest is declared in woo_load.hpp.

#include "woo_load.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <exception>
#include <stdexcept>

namespace woo::load {

namespace {

std::atomic<int> g_signal{0};   // lock-free, so safe to set in a handler and read in threads
static_assert(std::atomic<int>::is_always_lock_free);
extern "C" void on_signal(int sig) { g_signal.store(sig); }   // SA_RESETHAND: a second Ctrl-C ends the process

}  // namespace

bool interrupted() { return g_signal.load() != 0; }

namespace {

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

    std::printf("woo-load: status=%s records=%llu inserted=%llu updated=%llu unchanged=%llu skipped_stale=%llu rejected=%llu "
                "elapsed=%.2fs rate=%.0f/s sync=%s\n",
                status, static_cast<unsigned long long>(now.records), static_cast<unsigned long long>(now.inserted),
                static_cast<unsigned long long>(now.updated), static_cast<unsigned long long>(now.unchanged),
                static_cast<unsigned long long>(now.skipped_stale), static_cast<unsigned long long>(now.rejected), secs,
                secs > 0 ? now.records / secs : 0.0, sync_id.c_str());
    std::fflush(stdout);
    if (!failure.empty()) return run.failure_kind() == Failure::Connection ? kExitConnect : kExitFailed;
    if (interrupted()) return kExitInterrupted;
    return finish_error.empty() ? kExitOk : kExitFailed;
}

}  // namespace

}  // namespace woo::load

int main(int argc, char **argv) {
    using namespace woo::load;
    try {
        return main_(argc, argv);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "woo-load: %s\n", e.what());
        return kExitFailed;
    }
}
