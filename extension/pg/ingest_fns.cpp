// SQL entry points of the ingestion API (see sql/pg_woocommerce.sql, 1.2).
#include "pg/boundary.hpp"
#include "pg/ingest_catalog.hpp"
#include "pg/ingest_orders.hpp"

extern "C" {
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
}

using namespace woo::pg::ingest;

namespace {

void require_args(FunctionCallInfo fcinfo, int n) {
    for (int i = 0; i < n; ++i)
        if (PG_ARGISNULL(i))
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                            errmsg("argument %d of %s must not be NULL", i + 1, get_func_name(fcinfo->flinfo->fn_oid))));
}

using Upsert = Counts (*)(const Call *, Jsonb *);

Datum upsert(FunctionCallInfo fcinfo, const char *resource, Upsert fn) {
    require_args(fcinfo, 3);
    Call call;
    begin_call(&call, resource, PG_GETARG_DATUM(0), PG_GETARG_BOOL(2));
    const Counts counts = fn(&call, PG_GETARG_JSONB_P(1));
    finish_call();
    return counts_datum(fcinfo, counts);
}

}  // namespace

WOO_FUNCTION(woo_upsert_orders) { return upsert(fcinfo, "orders", upsert_orders_payload); }
WOO_FUNCTION(woo_upsert_products) { return upsert(fcinfo, "products", upsert_products_payload); }
WOO_FUNCTION(woo_upsert_customers) { return upsert(fcinfo, "customers", upsert_customers_payload); }
WOO_FUNCTION(woo_upsert_categories) { return upsert(fcinfo, "categories", upsert_categories_payload); }
WOO_FUNCTION(woo_upsert_coupons) { return upsert(fcinfo, "coupons", upsert_coupons_payload); }
