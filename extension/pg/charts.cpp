// woo.check_ai_query(sql text) RETURNS void: woo.ai_query's gate without running
// the statement (woo.save_chart and woo.update_chart call it at save time).
#include "pg/ai_gate.hpp"
#include "pg/boundary.hpp"
#include "pg/tenant.hpp"

extern "C" {
#include "utils/builtins.h"
}

WOO_FUNCTION(woo_check_ai_query) {
    // Like woo.ai_query: only under a bound store.
    (void)woo::pg::bound_store_or_error();
    (void)woo::pg::ai_query_gate(text_to_cstring(PG_GETARG_TEXT_PP(0)), 1);
    PG_RETURN_VOID();
}
