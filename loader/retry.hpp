// Which failures of a batch woo-load retries, and how (PostgreSQL-free: the
// libpq part passes the fields it read from the result; unit-tested alone).
#pragma once

namespace woo::load {

enum class Failure {
    None,
    Transient,   // retried on the same connection: serialization, deadlock, lock timeout, ...
    Connection,  // reconnect, then look the batches in flight up by their checkpoints
    Permanent,   // the batch fails (bad input, permissions, ...)
};

// connection_bad: PQstatus said CONNECTION_BAD. sqlstate: the result's SQLSTATE,
// nullptr when the server sent none (a client-side failure). constraint: the
// constraint name of a 23505, or nullptr.
Failure classify_failure(bool connection_bad, const char *sqlstate, const char *constraint);

}  // namespace woo::load
