// Errors raised by the PostgreSQL-free core.
//
// The core never includes a PostgreSQL header. It reports failures by throwing
// woo::core::Error, which carries a five-character SQLSTATE so the backend
// boundary (extension/pg/boundary.hpp) can turn it into an ereport with the right
// code. Nothing in the core catches it.
#pragma once

#include <stdexcept>
#include <string>

namespace woo::core {

// Standard SQLSTATE codes the core uses (see PostgreSQL's errcodes.txt).
namespace sqlstate {
inline constexpr const char *kInvalidTextRepresentation = "22P02";
inline constexpr const char *kInvalidParameterValue = "22023";
inline constexpr const char *kInvalidDatetimeFormat = "22007";
inline constexpr const char *kProgramLimitExceeded = "54000";
inline constexpr const char *kInternalError = "XX000";
}  // namespace sqlstate

class Error : public std::runtime_error {
public:
    Error(const char *sqlstate, const std::string &message)
        : std::runtime_error(message), sqlstate_{sqlstate[0], sqlstate[1], sqlstate[2], sqlstate[3], sqlstate[4], '\0'} {}

    const char *sqlstate() const noexcept { return sqlstate_; }

private:
    char sqlstate_[6];
};

}  // namespace woo::core
