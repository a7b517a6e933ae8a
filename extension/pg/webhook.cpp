// woo.apply_webhook(store_id uuid, topic text, payload jsonb) RETURNS woo.upsert_result
// woo.verify_webhook_signature(body text, signature text, secret text) RETURNS boolean
//
// Topics are WooCommerce's X-WC-Webhook-Topic: <resource>.<event> with
// resource order|product|customer|coupon and event created|updated|restored
// (applied as an upsert, strict) or deleted (payload {"id": N}).
#include "pg/boundary.hpp"
#include "pg/ingest_catalog.hpp"
#include "pg/ingest_orders.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
}

#include "core/crypto.hpp"

#include <cstring>

using namespace woo::pg::ingest;

namespace {

// Each remove statement returns the removed row's id and the customer whose
// metrics the removal changes (or NULL).
// Deleting an order removes its items (ON DELETE CASCADE).
Statement delete_order = {"DELETE FROM public.orders WHERE store_id = $1 AND wc_order_id = $2 RETURNING id, customer_id", 2, {UUIDOID, INT4OID}, nullptr};

// Order items keep their line (name, sku, amounts) but lose the link.
Statement delete_product = {
    "WITH p AS (SELECT id FROM public.products WHERE store_id = $1 AND wc_product_id = $2), "
    "unlink AS (UPDATE public.order_items SET product_id = NULL WHERE store_id = $1 AND product_id IN (SELECT id FROM p)) "
    "DELETE FROM public.products WHERE id IN (SELECT id FROM p) RETURNING id, NULL::uuid",
    2, {UUIDOID, INT4OID}, nullptr};

Statement delete_coupon = {"DELETE FROM public.coupons WHERE store_id = $1 AND wc_coupon_id = $2 RETURNING id, NULL::uuid", 2, {UUIDOID, INT4OID}, nullptr};

// WooCommerce keeps a deleted customer's orders as guest orders: the customer
// becomes a guest (same e-mail hash), or merges into the existing guest row.
Statement delete_customer = {
    "WITH c AS (SELECT id, email_hash FROM public.customers WHERE store_id = $1 AND wc_customer_id = $2), "
    "g AS (SELECT g.id FROM public.customers g JOIN c ON g.email_hash = c.email_hash "
    "       WHERE g.store_id = $1 AND g.wc_customer_id IS NULL), "
    "to_guest AS (UPDATE public.customers SET wc_customer_id = NULL, payload_hash = NULL "
    "              WHERE id IN (SELECT id FROM c WHERE email_hash IS NOT NULL) AND NOT EXISTS (SELECT 1 FROM g) RETURNING id), "
    "moved AS (UPDATE public.orders SET customer_id = (SELECT id FROM g) "
    "           WHERE store_id = $1 AND customer_id IN (SELECT id FROM c) AND NOT EXISTS (SELECT 1 FROM to_guest)), "
    "del AS (DELETE FROM public.customers WHERE id IN (SELECT id FROM c) AND NOT EXISTS (SELECT 1 FROM to_guest) RETURNING id) "
    "SELECT id, id FROM to_guest UNION ALL SELECT id, (SELECT id FROM g) FROM del",
    2, {UUIDOID, INT4OID}, nullptr};

// Lock order of a delete: the rows that reference the deleted one first, then
// the row itself, each in a statement of its own, as an upsert takes them
// (an order's row, then the customer and products it resolves, FOR KEY SHARE).
// A delete racing an upsert then waits instead of deadlocking, and its delete
// statement runs with a snapshot taken after the wait, so it sees (and
// unlinks) what the upsert committed instead of failing with 23503.
Statement lock_product = {"SELECT 1 FROM public.products WHERE store_id = $1 AND wc_product_id = $2 FOR UPDATE", 2,
                          {UUIDOID, INT4OID}, nullptr};
Statement lock_customer_orders = {
    "SELECT 1 FROM public.orders WHERE store_id = $1 AND customer_id IN "
    "(SELECT id FROM public.customers WHERE store_id = $1 AND wc_customer_id = $2) ORDER BY wc_order_id FOR NO KEY UPDATE",
    2, {UUIDOID, INT4OID}, nullptr};
Statement lock_customer = {"SELECT 1 FROM public.customers WHERE store_id = $1 AND wc_customer_id = $2 FOR UPDATE", 2,
                           {UUIDOID, INT4OID}, nullptr};

struct Resource {
    const char *topic;      // "order"
    const char *resource;   // "orders"
    Counts (*upsert)(const Call *, Jsonb *);
    Statement *remove;
    Statement *locks[2];    // run before remove, in this order (may be null)
};

Resource kResources[] = {
    {"order", "orders", upsert_orders_payload, &delete_order, {nullptr, nullptr}},
    {"product", "products", upsert_products_payload, &delete_product, {&lock_product, nullptr}},
    {"customer", "customers", upsert_customers_payload, &delete_customer, {&lock_customer_orders, &lock_customer}},
    {"coupon", "coupons", upsert_coupons_payload, &delete_coupon, {nullptr, nullptr}},
};

}  // namespace

WOO_FUNCTION(woo_apply_webhook) {
    for (int i = 0; i < 3; ++i)
        if (PG_ARGISNULL(i))
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("woo.apply_webhook: argument %d must not be NULL", i + 1)));
    const char *topic = text_to_cstring(PG_GETARG_TEXT_PP(1));
    Jsonb *payload = PG_GETARG_JSONB_P(2);
    const char *dot = strchr(topic, '.');
    const Resource *res = nullptr;
    for (const Resource &r : kResources)
        if (dot != nullptr && strlen(r.topic) == static_cast<size_t>(dot - topic) && strncmp(topic, r.topic, dot - topic) == 0)
            res = &r;
    const char *event = dot ? dot + 1 : "";
    const bool upsert = strcmp(event, "created") == 0 || strcmp(event, "updated") == 0 || strcmp(event, "restored") == 0;
    const bool remove = strcmp(event, "deleted") == 0;
    if (res == nullptr || (!upsert && !remove))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("woo.apply_webhook: unsupported topic \"%s\"", topic),
                        errhint("Supported: order|product|customer|coupon . created|updated|deleted|restored")));
    if (!JB_ROOT_IS_OBJECT(payload))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("woo.apply_webhook: a %s payload must be a JSON object", topic)));

    Call call;
    begin_call(&call, res->resource, PG_GETARG_DATUM(0), true);
    Counts counts{0, 0, 0, 0, 0, 0};
    if (upsert) {
        counts = res->upsert(&call, payload);
    } else {
        int n = 0;
        Record *rec = collect_records(&call, payload, &n, &counts);  // validates {"id": N}
        Datum values[2] = {call.store_id, Int32GetDatum(static_cast<int32>(rec[0].wc_id))};
        for (Statement *lock : res->locks)
            if (lock != nullptr) run(lock, values, "  ");
        run(res->remove, values, "  ");
        if (SPI_processed > 0) ++counts.deleted;
        else ++counts.unchanged;  // already gone: a re-delivered delete changes nothing
        // Second column: the customer whose metrics change (the deleted order's,
        // or the guest a deleted customer's orders moved to).
        Column affected;
        affected_init(&affected);
        for (uint64 t = 0; t < SPI_processed; ++t) {
            bool isnull;
            Datum who = SPI_getbinval(SPI_tuptable->vals[t], SPI_tuptable->tupdesc, 2, &isnull);
            if (!isnull) affected_add(&affected, who);
        }
        recompute_affected(&call, &affected);
    }
    finish_call();
    return counts_datum(fcinfo, counts);
}

// woo.verify_webhook_signature(body, signature, secret): STRICT, IMMUTABLE.
WOO_FUNCTION(woo_verify_webhook_signature) {
    text *body = PG_GETARG_TEXT_PP(0);
    text *signature = PG_GETARG_TEXT_PP(1);
    text *secret = PG_GETARG_TEXT_PP(2);
    const bool ok = woo::core::verify_webhook_signature(
        std::string_view(VARDATA_ANY(body), VARSIZE_ANY_EXHDR(body)),
        std::string_view(VARDATA_ANY(signature), VARSIZE_ANY_EXHDR(signature)),
        std::string_view(VARDATA_ANY(secret), VARSIZE_ANY_EXHDR(secret)));
    PG_RETURN_BOOL(ok);
}
