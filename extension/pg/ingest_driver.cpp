// The one ingestion driver every woo.upsert_* runs (see ingest_common.hpp):
// records -> chunks of parsed entries -> the resource's write step; plus the
// stale / unchanged rule and the uuid copy the write steps share.
#include "pg/ingest_common.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "catalog/pg_type.h"
#include "utils/uuid.h"
}

#include <cstring>

namespace woo::pg::ingest {

void read_stored(const Call *call, Statement *probe, Record *records, int n) {
    if (n == 0) return;
    Column ids;
    column_init(&ids, INT4OID, n);
    for (int i = 0; i < n; ++i) {
        records[i].stored = false;
        column_push(&ids, Int32GetDatum(records[i].wc_id), false);
    }
    Datum values[2] = {call->store_id, column_array(&ids)};
    run(probe, values, "  ");
    for (uint64 t = 0; t < SPI_processed; ++t) {
        HeapTuple tup = SPI_tuptable->vals[t];
        bool null_wc, null_dm, null_hash;
        const int64_t wc = DatumGetInt32(SPI_getbinval(tup, SPI_tuptable->tupdesc, 1, &null_wc));
        const Datum dm = SPI_getbinval(tup, SPI_tuptable->tupdesc, 2, &null_dm);
        const Datum hash = SPI_getbinval(tup, SPI_tuptable->tupdesc, 3, &null_hash);
        int lo = 0, hi = n - 1;  // records hold distinct ids in ascending order
        while (lo < hi) {
            const int mid = (lo + hi) / 2;
            if (records[mid].wc_id < wc) lo = mid + 1;
            else hi = mid;
        }
        Record *r = &records[lo];
        if (r->wc_id != wc) continue;
        r->stored = true;
        r->stored_dm_null = null_dm;
        r->stored_dm = null_dm ? (Datum)0 : dm;  // timestamptz: by value
        r->stored_hash_null = null_hash;
        r->stored_hash = null_hash ? nullptr : DatumGetByteaPCopy(hash);
    }
    SPI_freetuptable(SPI_tuptable);
}

namespace {

// The record is exactly the one the stored row was written from.
bool same_fingerprint(const Record *r) {
    return r->stored && !r->stored_hash_null && VARSIZE_ANY_EXHDR(r->stored_hash) == 2 * kHashBytes &&
           std::memcmp(VARDATA_ANY(r->stored_hash) + kHashBytes, r->fingerprint, kHashBytes) == 0;
}

}  // namespace

void drive_chunks(const Call *call, Jsonb *payload, const Driver &res, void *state, Counts *counts) {
    int n = 0;
    Record *records = collect_records(call, payload, &n, counts);
    MemoryContext chunk_cxt = AllocSetContextCreate(CurrentMemoryContext, "woo upsert chunk", ALLOCSET_DEFAULT_SIZES);
    MemoryContext outer = MemoryContextSwitchTo(chunk_cxt);
    for (int start = 0; start < n;) {
        // A chunk: at most kChunk records, one id each (a repeated id starts the next).
        int end = start + 1;
        while (end < n && end - start < kChunk && records[end].wc_id != records[end - 1].wc_id) ++end;
        if (res.probe != nullptr) read_stored(call, res.probe, records + start, end - start);
        auto *entries = static_cast<char *>(palloc0(res.entry_size * (end - start)));
        if (res.prepare) res.prepare(entries, end - start);
        int count = 0;
        for (int i = start; i < end; ++i) {
            CHECK_FOR_INTERRUPTS();
            if (res.probe != nullptr && same_fingerprint(&records[i])) {
                ++counts->unchanged;  // not parsed: nothing in it differs from what was stored
                continue;
            }
            if (parse_guarded(call, &records[i], res.parse, entries + res.entry_size * count, counts)) ++count;
        }
        if (count > 0) res.write(state, entries, count);
        start = end;
        MemoryContextReset(chunk_cxt);
        replan_after_growth();
    }
    MemoryContextSwitchTo(outer);
    MemoryContextDelete(chunk_cxt);
}

Fate classify(bool stored_dm_null, Datum stored_dm, bool stored_hash_null, Datum stored_hash, bool mine_dm_null,
              Datum mine_dm, bytea *mine_hash) {
    if (!stored_dm_null && !mine_dm_null && DatumGetTimestampTz(mine_dm) < DatumGetTimestampTz(stored_dm))
        return Fate::Stale;
    if (!stored_hash_null) {
        // The content halves (a hash stored by 1.5 or earlier is the content half alone).
        bytea *stored = DatumGetByteaPP(stored_hash);
        const auto len = VARSIZE_ANY_EXHDR(stored);
        if ((len == kHashBytes || len == 2 * kHashBytes) &&
            std::memcmp(VARDATA_ANY(stored), VARDATA_ANY(mine_hash), kHashBytes) == 0)
            return Fate::Same;
    }
    return Fate::Write;
}

Fate classify_stored(const Record *r, bool mine_dm_null, Datum mine_dm, bytea *mine_hash) {
    if (!r->stored) return Fate::Write;
    return classify(r->stored_dm_null, r->stored_dm, r->stored_hash_null, PointerGetDatum(r->stored_hash), mine_dm_null,
                    mine_dm, mine_hash);
}

Datum copy_uuid(Datum d) {
    auto *u = static_cast<pg_uuid_t *>(palloc(sizeof(pg_uuid_t)));
    std::memcpy(u, DatumGetUUIDP(d), sizeof(pg_uuid_t));
    return UUIDPGetDatum(u);
}

}  // namespace woo::pg::ingest
