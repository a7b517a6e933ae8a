// woo_selftest_boundary(text): proves the boundary (boundary.hpp) on purpose.
//
// Compiled into the library but declared by no extension script: a test
// creates it (CREATE FUNCTION ... AS 'MODULE_PATHNAME', a superuser's act)
// inside a transaction it rolls back (pgtap/090_boundary.sql). Each mode makes
// one kind of failure happen inside a guarded region; the backend must answer
// with an ERROR and a proper SQLSTATE, and keep serving the session.
#include "pg/boundary.hpp"
#include "pg/ingest_common.hpp"

extern "C" {
#include "utils/builtins.h"
}

#include "core/error.hpp"

#include <stdexcept>
#include <string>

namespace {
// An errcontext callback that lives in a frame the C++ exception leaves: if
// error_context_stack still pointed at it afterwards, the boundary's ERROR
// would call into a dead frame.
// A record parser that fails for a reason that is not the record's.
void parse_out_of_memory(const woo::pg::ingest::Call *, const woo::pg::ingest::Record *, void *) {
    ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("selftest: out of memory while parsing")));
}

void selftest_context(void *arg) { errcontext("woo selftest frame %s", static_cast<const char *>(arg)); }
}  // namespace

WOO_FUNCTION(woo_selftest_boundary) {
    const std::string mode = text_to_cstring(PG_GETARG_TEXT_PP(0));
    if (mode == "throw_in_pg_guard") {
        // A C++ exception thrown inside pg_guard's setjmp region.
        woo::pg::pg_guard([&] {
            ErrorContextCallback cb{error_context_stack, selftest_context, const_cast<char *>("pg_guard")};
            error_context_stack = &cb;
            throw std::runtime_error("selftest: thrown inside pg_guard");
        });
    } else if (mode == "throw_in_pg_try") {
        // A C++ exception thrown inside a raw PG_TRY region (skipping PG_END_TRY):
        // the boundary itself must restore the stacks before it raises.
        PG_TRY();
        { throw std::runtime_error("selftest: thrown inside PG_TRY"); }
        PG_CATCH();
        { PG_RE_THROW(); }
        PG_END_TRY();
    } else if (mode == "error_in_pg_guard") {
        // A PostgreSQL ERROR inside pg_guard: PgError through C++ frames, then
        // re-raised unchanged by the boundary.
        const std::string alive = "a C++ object pg_guard must not longjmp over";
        woo::pg::pg_guard([] {
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("selftest: ERROR inside pg_guard"),
                            errhint("raised by ereport")));
        });
    } else if (mode == "error_caught") {
        // catch_pg_error: the ERROR comes back as data, the session goes on.
        ErrorData *edata = woo::pg::catch_pg_error(
            [] { ereport(ERROR, (errcode(ERRCODE_DIVISION_BY_ZERO), errmsg("selftest: caught"))); });
        if (edata == nullptr || edata->sqlerrcode != ERRCODE_DIVISION_BY_ZERO)
            throw std::logic_error("selftest: catch_pg_error lost the error");
        FreeErrorData(edata);
        PG_RETURN_TEXT_P(cstring_to_text("caught 22012"));
    } else if (mode == "lenient_parse_out_of_memory") {
        // Lenient mode turns only class 22 into a reject: 53200 must propagate
        // (this Call has no SPI connection: storing a reject would fail).
        woo::pg::ingest::Call call{"selftest", (Datum)0, /*strict=*/false, "UTC"};
        Jsonb *payload = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("[{\"id\": 1}]")));
        woo::pg::ingest::Record rec{0, &payload->root, 1, payload};
        woo::pg::ingest::Counts counts{};
        int out = 0;
        woo::pg::ingest::parse_guarded(&call, &rec, parse_out_of_memory, &out, &counts);
        PG_RETURN_TEXT_P(cstring_to_text("stored as a reject"));
    } else if (mode == "core_error") {
        throw woo::core::Error("22P02", std::string(5000, 'x'));  // longer than the handler's buffer
    } else if (mode == "bad_alloc") {
        throw std::bad_alloc();
    } else if (mode == "unknown") {
        throw 42;
    }
    PG_RETURN_TEXT_P(cstring_to_text("ok"));
}
