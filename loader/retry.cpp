#include "retry.hpp"

#include <cstring>

namespace woo::load {

Failure classify_failure(bool connection_bad, const char *sqlstate, const char *constraint) {
    if (connection_bad) return Failure::Connection;
    if (!sqlstate) return Failure::Connection;  // client-side: the connection broke
    const auto is = [sqlstate](const char *s) { return std::strcmp(sqlstate, s) == 0; };
    if (std::strncmp(sqlstate, "08", 2) == 0 || is("57P01") || is("57P02") || is("57P03")) return Failure::Connection;
    if (is("40001") || is("40P01") || is("55P03")) return Failure::Transient;
    if (is("23505") && constraint) {
        // The batch's checkpoint exists: another session (an earlier run's backend
        // finishing after its client was killed) committed this batch. Handled as
        // a lost connection: the batches in flight are looked up by their
        // checkpoints and counted as committed, never sent twice.
        if (std::strcmp(constraint, "load_checkpoints_pkey") == 0) return Failure::Connection;
        // Two sessions adopting one guest as the same registered customer under
        // two e-mails: the loser's batch rolled back whole; sent again, it finds
        // the winner's row (README, "Not done yet").
        if (std::strcmp(constraint, "customers_store_id_wc_customer_id_key") == 0) return Failure::Transient;
    }
    return Failure::Permanent;
}

}  // namespace woo::load
