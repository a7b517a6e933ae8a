// The one boundary between C++ and PostgreSQL error handling.
//
// Two worlds, two rules:
//  * A C++ exception must never unwind into PostgreSQL: every SQL-callable
//    function is defined with WOO_FUNCTION, whose C entry point runs the body
//    inside cpp_boundary(). The catch handlers only copy the message (into a
//    fixed buffer, no palloc) and the SQLSTATE; the ERROR is raised after the handler has finished, so
//    no exception object is alive when PostgreSQL longjmps.
//  * An ereport(ERROR) must never longjmp over live C++ objects: C++ code that
//    holds objects with destructors calls PostgreSQL through pg_guard(), which
//    catches the ERROR (catch_pg_error), copies it, and rethrows it as PgError. The
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

#include <csetjmp>
#include <exception>
#include <new>
#include <type_traits>
#include <utility>

namespace woo::pg {

// PostgreSQL's two error-handling stacks (the innermost sigsetjmp target and
// the errcontext callbacks), saved on construction and put back by restore()
// and by the destructor. A C++ exception that leaves a region which installed
// its own setjmp target would otherwise leave PG_exception_stack pointing at a
// dead frame, and the next ERROR would longjmp into it (pg_duckdb's
// PgExceptionGuard; PG_END_TRY does the same restore on the normal path).
class PgStacksGuard {
public:
    PgStacksGuard() noexcept : exception_stack_(PG_exception_stack), context_stack_(error_context_stack) {}
    ~PgStacksGuard() noexcept { restore(); }
    void restore() const noexcept {
        PG_exception_stack = exception_stack_;
        error_context_stack = context_stack_;
    }
    PgStacksGuard(const PgStacksGuard &) = delete;
    PgStacksGuard &operator=(const PgStacksGuard &) = delete;

private:
    sigjmp_buf *exception_stack_;
    ErrorContextCallback *context_stack_;
};

// The one PG_TRY / CopyErrorData / FlushErrorState block. Runs f(); returns
// nullptr when it returned, or the ERROR it raised, copied into the caller's
// memory context, with the error state flushed. The caller must then re-throw
// (ReThrowError, PgError) or roll back a (sub)transaction: the PG_TRY rule of
// utils/elog.h; only a few pure input-function calls (no locks, no buffers,
// no shared state) may drop the error.
// f may throw a C++ exception: the guard puts both stacks back on the way out,
// which PG_TRY/PG_END_TRY cannot do. f itself must hold no C++ object with a
// destructor across a PostgreSQL call (an ERROR longjmps over it).
template <typename F>
ErrorData *catch_pg_error(F &&f) {
    MemoryContext caller_cxt = CurrentMemoryContext;
    PgStacksGuard guard;
    sigjmp_buf local_sigjmp_buf;
    if (sigsetjmp(local_sigjmp_buf, 0) == 0) {
        PG_exception_stack = &local_sigjmp_buf;
        f();
        return nullptr;  // guard restores the stacks
    }
    guard.restore();
    MemoryContextSwitchTo(caller_cxt);
    ErrorData *edata = CopyErrorData();
    FlushErrorState();
    return edata;
}

// A PostgreSQL ERROR caught by pg_guard, carried through C++ frames.
class PgError : public std::exception {
public:
    explicit PgError(ErrorData *edata) noexcept : edata_(edata) {}
    ErrorData *edata() const noexcept { return edata_; }
    const char *what() const noexcept override { return edata_ && edata_->message ? edata_->message : "PostgreSQL error"; }

private:
    ErrorData *edata_;  // palloc'd by CopyErrorData in the caller's context
};

// Runs f(), which calls PostgreSQL, from C++ code that holds objects with
// destructors; turns an ERROR into PgError (thrown after the error state is
// flushed and the stacks restored). A C++ exception thrown by f passes through
// with the stacks restored.
template <typename F>
auto pg_guard(F &&f) -> decltype(f()) {
    using R = decltype(f());
    if constexpr (std::is_void_v<R>) {
        if (ErrorData *edata = catch_pg_error(f)) throw PgError(edata);
    } else {
        static_assert(std::is_trivially_copyable_v<R>, "pg_guard returns plain values only");
        R result{};
        if (ErrorData *edata = catch_pg_error([&] { result = f(); })) throw PgError(edata);
        return result;
    }
}

namespace detail {
// What a catch handler keeps: plain data only. The message is copied into a
// fixed buffer (no palloc, which could raise an ERROR and longjmp out of the
// handler while the exception object is alive).
struct Failure {
    ErrorData *pg = nullptr;  // a PostgreSQL error to re-raise as is
    int sqlerrcode = 0;       // otherwise: code + message
    char message[1024] = {};

    void set(int code, const char *text) noexcept {
        sqlerrcode = code;
        strlcpy(message, text != nullptr ? text : "", sizeof message);
    }
};

inline int sqlstate_to_code(const char *s) { return MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]); }

[[noreturn]] inline void raise(const char *function, const Failure &failure) {
    if (failure.pg != nullptr) ReThrowError(failure.pg);
    ereport(ERROR, (errcode(failure.sqlerrcode), errmsg("%s", failure.message),
                    errcontext("pg_woocommerce function %s", function)));
    pg_unreachable();
}
}  // namespace detail

// Runs a C++ body; converts every exception into a PostgreSQL ERROR. The
// stacks are restored before the ERROR is raised (pg_duckdb's InvokeCPPFunc),
// so even an exception thrown inside a raw PG_TRY region cannot make the ERROR
// longjmp into a dead frame.
template <typename F>
Datum cpp_boundary(const char *function, F &&body) {
    detail::Failure failure;
    PgStacksGuard stacks;
    try {
        return body();
    } catch (const PgError &e) {
        failure.pg = e.edata();
    } catch (const woo::core::Error &e) {
        failure.set(detail::sqlstate_to_code(e.sqlstate()), e.what());
    } catch (const std::bad_alloc &) {
        failure.set(ERRCODE_OUT_OF_MEMORY, "out of memory");
    } catch (const std::exception &e) {
        failure.set(ERRCODE_INTERNAL_ERROR, e.what());
    } catch (...) {
        failure.set(ERRCODE_INTERNAL_ERROR, "unknown C++ exception");
    }
    // The exception object is destroyed here; only plain data remains.
    stacks.restore();
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
