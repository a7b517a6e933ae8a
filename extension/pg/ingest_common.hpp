// Shared machinery of the woo.upsert_* functions (one header, as pgvector's
// hnsw.h, over the files that implement it):
//   ingest_records.cpp  the call, its records, parse/write guards, rejects;
//   ingest_driver.cpp   the chunk driver, the stale/unchanged rule, copy_uuid;
//   ingest_fields.cpp   field readers and the content hash;
//   ingest_spi.cpp      array parameters, re-planning, guests, affected
//                       customers, saved SPI plans.
// The resources: ingest_orders.cpp (ingest_orders.hpp) and ingest_catalog.cpp
// (ingest_catalog.hpp).
//
// Everything here is C-style on purpose: records live in palloc'd plain
// structs inside a per-chunk memory context, so a PostgreSQL ERROR may unwind
// through this code without skipping any C++ destructor. The C++ core is
// called only through noexcept functions.
#pragma once

extern "C" {
#include "postgres.h"

#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "access/genam.h"
#include "utils/jsonb.h"
#include "utils/rel.h"
#include "utils/snapshot.h"
}

#include <cstdint>
#include <string_view>

namespace woo::pg::ingest {

// ---- counts returned as woo.upsert_result ----------------------------------
struct Counts {
    int inserted, updated, unchanged, skipped_stale, deleted, rejected;
};
Datum counts_datum(FunctionCallInfo fcinfo, const Counts &c);

// ---- the call (ingest_records.cpp) ----------------------------------------------------------------
struct Call {
    const char *resource;  // "orders", "products", ...: names records in errors
    Datum store_id;        // uuid, equal to woo.current_store()
    bool strict;
    const char *timezone;  // stores.settings->>'timezone', default 'UTC'
};

// Checks store_id against the bound store (42501), opens SPI, and reads the
// store's timezone (validated). Pair with finish_call().
void begin_call(Call *call, const char *resource, Datum store_id, bool strict);
void finish_call();

// ---- records -------------------------------------------------------------------
// One top-level record of the payload.
struct Record {
    int index;                 // position in the payload (for messages)
    JsonbContainer *obj;       // the object
    int64_t wc_id;             // its "id"
    Jsonb *payload;            // the whole payload (a reject copies the record out of it)
    const Call *call;          // the call it belongs to (names the resource in messages)
    // Its fingerprint: SHA-256 of the object's jsonb bytes with what else its
    // mapping depends on (kFingerprintVersion, resource, the store's timezone).
    unsigned char fingerprint[32];
    // The stored row of the same id, read by the chunk driver's probe before
    // parsing (stored: a row was found; its date_modified and payload_hash).
    bool stored, stored_dm_null, stored_hash_null;
    Datum stored_dm;
    bytea *stored_hash;
};

// payload_hash = content hash (32 bytes: what the record maps to, see
// ContentHash) || fingerprint (32 bytes). A re-delivery whose fingerprint equals
// the stored one is unchanged without being parsed; one whose fingerprint
// differs is parsed and compared by content (so `_links` or `meta_data` that
// WooCommerce changed without meaning still count as unchanged). Rows stored
// with a 32-byte hash (written by 1.5 or earlier) compare by content only. Bump the version
// whenever what a record maps to changes (a field added, a rule changed).
constexpr const char *kFingerprintVersion = "woo fingerprint 1";
constexpr int kHashBytes = 32;

// Number of top-level records, and the i-th one. A payload is one object or
// an array of them; anything else raises 22023.
int payload_length(Jsonb *payload);
JsonbContainer *payload_object(Jsonb *payload, int i, bool *is_object, uint32 *len = nullptr);  // len: of its bytes

// Reads every record's id and returns the records that are objects with a
// usable id, stably sorted by id (a fixed lock order: concurrent calls do not
// deadlock). The others are rejected (see parse_records).
Record *collect_records(const Call *call, Jsonb *payload, int *n_out, Counts *counts);

// Runs parse(call, rec, out) for each record inside PG_TRY. Parsing touches no
// shared state (jsonb access, input functions, hashing), so an ERROR it raises
// can be caught without a subtransaction: strict mode re-raises it unchanged,
// lenient mode stores the record in woo.ingest_rejects and goes on when the
// ERROR is bad input (class 22), and re-raises anything else.
// Returns true when the record parsed.
bool parse_guarded(const Call *call, const Record *rec, void (*parse)(const Call *, const Record *, void *), void *out,
                   Counts *counts);

// Writes a chunk of n parsed records: w->write(w->arg, first, count) writes
// records [first, first + count). Strict mode: directly (an ERROR fails the
// call). Lenient mode: inside a subtransaction; when it fails with a data
// exception (SQLSTATE class 22: a value the parser let through and a column
// refused), the chunk is rolled back and written again record by record, each
// in a subtransaction of its own: a record that still fails with class 22 is
// rejected (woo.ingest_rejects), any other error is re-raised unchanged (after
// the rollback). `counts` and `affected` (may be NULL) are restored on rollback.
struct ChunkWriter {
    void (*write)(void *arg, int first, int count);
    void (*reset)(void *arg, int i);            // before record i is written again
    const Record *(*record)(void *arg, int i);  // the record of parsed entry i
    void *arg;
};
struct Column;
void write_chunk_guarded(const Call *call, const ChunkWriter *w, int n, Counts *counts, Column *affected);

// ---- message helpers (ingest_records.cpp), shared with the field readers -----
// "orders[3] (id 1205)" or "orders[3]" when the id is unknown.
const char *record_name(const char *resource, int index, int64_t wc_id);
const char *rname(const Record *r);  // the record's name, in its call's resource
const char *numeric_text(JsonbValue *v);       // a JSON number's full text
const char *value_for_message(JsonbValue *v);  // a scalar for messages (e-mails hashed)
// woo::core's SHA-256 without exceptions (false when it threw).
bool sha256_noexcept(const void *data, size_t len, unsigned char out[32]) noexcept;
// woo::core::hash_email without exceptions (*failed when it threw).
bool hash_email_noexcept(std::string_view in, char *scratch, char hex[64], bool *failed) noexcept;

// ---- the chunk driver (ingest_driver.cpp) -------------------------------------
// Every upsert runs the same loop: collect the records (sorted by id), parse
// them `kChunk` at a time into entries of `entry_size` bytes (zeroed, then
// `prepare` when set), and hand each chunk to `write` (which goes through
// write_chunk_guarded). A chunk never holds the same id twice (ON CONFLICT may
// touch a row once per statement): a repeated id starts the next chunk, which
// then sees the first version as stored. Each chunk's memory is freed after it.
constexpr int kChunk = 500;  // records per round of statements
struct Statement;
struct Driver {
    size_t entry_size;
    void (*parse)(const Call *, const Record *, void *entry);
    void (*prepare)(void *entries, int capacity);  // may be null
    void (*write)(void *state, void *entries, int count);
    // SELECT wc_id, modified (or NULL), payload_hash of the stored rows of $2
    // (ids) in store $1, without a lock: run for each chunk before parsing; a
    // record whose fingerprint matches is counted unchanged and not parsed.
    // NULL: every record is parsed (categories: an unchanged child is still
    // linked to a parent that arrived since).
    Statement *probe;
};
void drive_chunks(const Call *call, Jsonb *payload, const Driver &res, void *state, Counts *counts);
// The stored row of each record (Record::stored...): `probe` run over the ids of
// records[0..n), which hold distinct ids in ascending order.
void read_stored(const Call *call, Statement *probe, Record *records, int n);

// The stale / unchanged rule against the stored row: older than stored (both
// modification dates known) -> Stale; same payload hash -> Same; else Write.
enum class Fate { Write, Stale, Same };
Fate classify(bool stored_dm_null, Datum stored_dm, bool stored_hash_null, Datum stored_hash, bool mine_dm_null,
              Datum mine_dm, bytea *mine_hash);
// classify() against what read_stored found.
Fate classify_stored(const Record *r, bool mine_dm_null, Datum mine_dm, bytea *mine_hash);

// A uuid Datum (e.g. from SPI_getbinval) copied into CurrentMemoryContext.
Datum copy_uuid(Datum d);

// ---- field readers (ingest_fields.cpp) ------------------------------------------------------------
// Each raises ERROR naming the record and field ("orders[3] (id 1205): total
// "12,50" is not a number"), with SQLSTATE 22P02, 22023, 22007 or 22001.
// `path` prefixes the key in messages (e.g. "line_items[2].").

// Lookup: returns false when the key is absent or JSON null.
bool field(JsonbContainer *obj, const char *key, JsonbValue *out);
JsonbContainer *nested_object(const Record *r, JsonbContainer *obj, const char *key);  // NULL when absent
JsonbContainer *nested_array(const Record *r, JsonbContainer *obj, const char *key, int *n);  // NULL when absent

bool read_int(const Record *r, const char *path, JsonbContainer *obj, const char *key, int64_t min, int64_t max,
              int64_t *out);                                          // false: absent
// A decimal (JSON number or WooCommerce money string) as numeric with `typmod`
// (-1: unconstrained). false: absent or "".
bool read_decimal(const Record *r, const char *path, JsonbContainer *obj, const char *key, int32 typmod, Datum *out);
// Money: numeric(12,2).
bool read_money(const Record *r, const char *path, JsonbContainer *obj, const char *key, Datum *out);
// A value the extension derives (a sum of line items, of refunds) checked
// against numeric(12,2): 22003 naming the record and `what` when it does not fit.
Datum derived_money(const Record *r, const char *what, Datum value);
// A text the extension builds (a variation's name) checked against its column:
// 22001 naming the record and `what` when longer than max_chars characters.
void derived_text_length(const Record *r, const char *what, text *t, int max_chars);
// A WooCommerce datetime: `key_gmt` read as UTC, else `key` in the store's timezone.
bool read_datetime(const Call *call, const Record *r, JsonbContainer *obj, const char *key, const char *key_gmt,
                   Datum *out);                                       // false: absent
// A string of at most max_chars characters (0: unlimited); html: decode entities.
text *read_text(const Record *r, const char *path, JsonbContainer *obj, const char *key, int max_chars, bool html);
// A string (or number) value; `name` names it in messages.
text *element_text(const Record *r, const char *name, JsonbValue *v, int max_chars, bool html);
// Raises "required" when absent.
[[noreturn]] void missing(const Record *r, const char *path, const char *key);

// Hash of an e-mail address field (NULL when absent or blank).
text *email_hash_of(const Record *r, const char *path, JsonbContainer *obj, const char *key);

// SHA-256 of the values a record maps to (what would be stored, items and
// references included): equal hashes mean the row would not change, whatever
// else differs in the payload (links, meta_data). Feed values, then finish.
struct ContentHash {
    StringInfoData buf;
};
void content_init(ContentHash *h);
void content_add(ContentHash *h, Datum value, bool isnull, bool byval);  // varlena or by-value Datum
void content_add_int(ContentHash *h, int64_t value);
bytea *content_finish(ContentHash *h, const Record *r);  // the payload_hash: content || r's fingerprint

// ---- array parameters (ingest_spi.cpp) -------------------------------------------------------
struct Column {
    Oid elemtype;
    int16 typlen;
    bool typbyval;
    char typalign;
    Datum *values;
    bool *nulls;
    int n, cap;
};
void column_init(Column *c, Oid elemtype, int cap);
// A uuid[] of n random (version 4) uuids, as gen_random_uuid() makes them, from
// one call of pg_strong_random for all of them instead of one per row.
Datum random_uuids(int n);
void column_push(Column *c, Datum v, bool isnull);
Datum column_array(const Column *c);
// The rows of the last SPI result, column k into cols[k] (initialised here with
// types[k]; values copied into CurrentMemoryContext, so the result may be freed).
void result_columns(Column *cols, const Oid *types, int ncols);
// Whether function woo.<name>(types) exists: the library also serves databases
// whose extension is older than the library (a catalog cache probe).
bool woo_function_exists(const char *name, int nargs, const Oid *types);

// After each chunk: the tables of the ingestion (referenced by foreign keys or
// written) may have grown a lot since this backend's plans were made. Cached
// plans, the foreign-key checks' included, were made for their old size (a check
// planned on an almost empty orders table scans the whole store per line item,
// however many rows it holds later, until something invalidates it); a table
// that has doubled in blocks since the last time gets its relcache entry
// invalidated, so everything touching it is re-planned at the current size.
void replan_after_growth();

// An index of a public table read directly (no plan), with what the next
// statement would see: this transaction's own rows, and under READ COMMITTED a
// new snapshot (rows another transaction committed while we waited for it).
// probe_begin returns false when the table or the index does not exist.
struct IndexProbe {
    Relation heap, idx;
    Snapshot snap;
    IndexScanDesc scan;
    TupleTableSlot *slot;
};
bool probe_begin(const char *table, const char *index, int nkeys, IndexProbe *p);
void probe_end(IndexProbe *p);
// A probe (opened with nkeys 1) of a uuid key in the index's first column, hash or
// btree: probe_uuid starts it; probe_uuid_next moves p->slot to the next row whose
// column key_att equals key (a hash index is lossy: the key is checked on the row).
void probe_uuid(IndexProbe *p, Datum key);
bool probe_uuid_next(IndexProbe *p, AttrNumber key_att, Datum key);

// Guests (customers without a WooCommerce id) of `store` by e-mail hash, probed in
// the unique index customers_store_guest_email_key directly: no plan, so nothing
// that statistics could change (a never-analysed table plans these lookups as a
// scan of every guest). Sees what the next statement would. For each hash found,
// its id and key go to ids_out / keys_out (may be null); first_only stops at the
// first. Returns the number found, or -1 when the index does not exist.
int probe_guests(Datum store, const Column *hashes, char **keys_out, Datum *ids_out, bool first_only);

// The line items of `order_ids` in `store`, probed in the hash index
// order_items_order_id_hash directly (no plan: `store_id = $1 AND order_id =
// ANY($2)` is planned as a read of every item of the store without statistics,
// and a join with the ids ties with that read at 0 rows): their TIDs go to
// tids_out (a TIDOID column). Sees what the next statement would. Returns the
// number found, or -1 when the index does not exist.
int probe_order_items(Datum store, const Column *order_ids, Column *tids_out);
// Customers whose metrics a call must recompute: a uuid column that lives in
// the call's context (not a chunk's), recomputed once at the end of the call.
void affected_init(Column *c);
void affected_add(Column *c, Datum uuid);
void recompute_affected(const Call *call, const Column *c);

// ---- saved plans ------------------------------------------------------------
struct Statement {
    const char *sql;
    int nargs;
    Oid argtypes[24];
    SPIPlanPtr plan;
};
// Runs a statement (prepared once per backend and kept); nulls in SPI form.
int run(Statement *s, Datum *values, const char *nulls);
// run() for a statement that writes rows by TID (`ctid = ANY($n)`, or a join of
// a TID list with the table): its generic plan is made with every scan but TID
// scans and every join but nested loops disabled (for the planning only, in a
// GUC nest level: the statement then runs, and its triggers plan their own
// queries, with the session's settings), so it probes each row by TID whatever
// the table's size when the plan was made, the statistics or a row-level
// security qual say. A row updated concurrently since its TID was read is still
// found: the TID scan's recheck follows its update.
int run_tid_probing(Statement *s, Datum *values, const char *nulls);

// Text helpers.
text *text_of(const char *s);
char *cstring_of(text *t);

}  // namespace woo::pg::ingest
