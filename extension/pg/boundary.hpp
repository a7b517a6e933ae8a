// The one boundary between C++ and PostgreSQL error handling.
//
// Two worlds, two rules:
//  * A C++ exception must never unwind into PostgreSQL: every SQL-callable
//    function is defined with WOO_FUNCTION, whose C entry point runs the body
//    inside cpp_boundary(). The catch handlers only copy the message (palloc)
//    and the SQLSTATE; the ERROR is raised after the handler has finished, so
//    no exception object is alive when PostgreSQL longjmps.
//  * An ereport(ERROR) must never longjmp over live C++ objects: C++ code that
//    holds objects with destructors calls PostgreSQL through pg_guard(), which
//    catches the ERROR with PG_TRY, copies it, and rethrows it as PgError. The
//    boundary re-raises the original error unchanged (same SQLSTATE, detail,
//    hint, context), so users see PostgreSQL's own message.
// Code that holds no C++ objects (plain structs, pointers, palloc'd memory)
// may call PostgreSQL directly.
#pragma once

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "utils/elog.h"
#include "utils/memutils.h"
}

#include "core/error.hpp"

#include <exception>
#include <new>
#include <type_traits>
#include <utility>

namespace woo::pg {

// A PostgreSQL ERROR caught by pg_guard, carried through C++ frames.
class PgError : public std::exception {
public:
    explicit PgError(ErrorData *edata) noexcept : edata_(edata) {}
    ErrorData *edata() const noexcept { return edata_; }
    const char *what() const noexcept override { return edata_ && edata_->message ? edata_->message : "PostgreSQL error"; }

private:
    ErrorData *edata_;  // palloc'd by CopyErrorData in the caller's context
};

// Runs f(), which calls PostgreSQL; turns an ERROR into PgError.
template <typename F>
auto pg_guard(F &&f) -> decltype(f()) {
    using R = decltype(f());
    MemoryContext caller_cxt = CurrentMemoryContext;
    ErrorData *volatile edata = nullptr;
    if constexpr (std::is_void_v<R>) {
        PG_TRY();
        { f(); }
        PG_CATCH();
        {
            MemoryContextSwitchTo(caller_cxt);
            edata = CopyErrorData();
            FlushErrorState();
        }
        PG_END_TRY();
        if (edata != nullptr) throw PgError(edata);
    } else {
        static_assert(std::is_trivially_copyable_v<R>, "pg_guard returns plain values only");
        R result{};
        PG_TRY();
        { result = f(); }
        PG_CATCH();
        {
            MemoryContextSwitchTo(caller_cxt);
            edata = CopyErrorData();
            FlushErrorState();
        }
        PG_END_TRY();
        if (edata != nullptr) throw PgError(edata);
        return result;
    }
}

namespace detail {
struct Failure {
    ErrorData *pg = nullptr;  // a PostgreSQL error to re-raise as is
    int sqlerrcode = 0;       // otherwise: code + message
    const char *message = nullptr;
};

inline int sqlstate_to_code(const char *s) { return MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]); }

[[noreturn]] inline void raise(const char *function, const Failure &failure) {
    if (failure.pg != nullptr) ReThrowError(failure.pg);
    ereport(ERROR, (errcode(failure.sqlerrcode), errmsg("%s", failure.message),
                    errcontext("pg_woocommerce function %s", function)));
    pg_unreachable();
}
}  // namespace detail

// Runs a C++ body; converts every exception into a PostgreSQL ERROR.
template <typename F>
Datum cpp_boundary(const char *function, F &&body) {
    detail::Failure failure;
    try {
        return body();
    } catch (const PgError &e) {
        failure.pg = e.edata();
    } catch (const woo::core::Error &e) {
        failure.sqlerrcode = detail::sqlstate_to_code(e.sqlstate());
        failure.message = pstrdup(e.what());
    } catch (const std::bad_alloc &) {
        failure.sqlerrcode = ERRCODE_OUT_OF_MEMORY;
        failure.message = "out of memory";
    } catch (const std::exception &e) {
        failure.sqlerrcode = ERRCODE_INTERNAL_ERROR;
        failure.message = pstrdup(e.what());
    } catch (...) {
        failure.sqlerrcode = ERRCODE_INTERNAL_ERROR;
        failure.message = "unknown C++ exception";
    }
    // The exception object is destroyed here; only plain data remains.
    detail::raise(function, failure);
}

}  // namespace woo::pg

// Defines the SQL-callable C function `name` whose body runs inside the boundary:
//   WOO_FUNCTION(woo_foo) { ... return Datum; }
#define WOO_FUNCTION(name)                                                                      \
    extern "C" {                                                                                \
    PG_FUNCTION_INFO_V1(name);                                                                  \
    }                                                                                           \
    static Datum name##_body(PG_FUNCTION_ARGS);                                                 \
    extern "C" Datum name(PG_FUNCTION_ARGS) {                                                   \
        return woo::pg::cpp_boundary(#name, [fcinfo]() -> Datum { return name##_body(fcinfo); }); \
    }                                                                                           \
    static Datum name##_body(PG_FUNCTION_ARGS)
