// woo-load's libpq layer: connections, statements, errors and what to do about them.
#include "woo_load.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace woo::load {

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
ResultPtr exec(PGconn *c, const char *sql, std::vector<const char *> params) {
    ResultPtr r(PQexecParams(c, sql, static_cast<int>(params.size()), nullptr, params.data(), nullptr, nullptr, 0),
                &PQclear);
    auto st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) throw std::runtime_error(error_text(r.get(), c));
    return r;
}

namespace {

constexpr const char *kUpsertSql =
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

}  // namespace

// Prepares the statements and enters pipeline mode: a worker's connection. Throws on failure.
void start_pipeline(PGconn *c) {
    prepare_statements(c);
    if (!PQenterPipelineMode(c)) throw std::runtime_error(trim(PQerrorMessage(c)));
}

}  // namespace woo::load
