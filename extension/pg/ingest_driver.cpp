// The one ingestion driver every woo.upsert_* runs (see ingest_common.hpp):
// records -> chunks of parsed entries -> the resource's write step; plus the
// stale / unchanged rule and the uuid copy the write steps share.
#include "pg/ingest_common.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
}

#include <cstring>

namespace woo::pg::ingest {

void drive_chunks(const Call *call, Jsonb *payload, const Driver &res, void *state, Counts *counts) {
    int n = 0;
    Record *records = collect_records(call, payload, &n, counts);
    MemoryContext chunk_cxt = AllocSetContextCreate(CurrentMemoryContext, "woo upsert chunk", ALLOCSET_DEFAULT_SIZES);
    MemoryContext outer = MemoryContextSwitchTo(chunk_cxt);
    for (int start = 0; start < n;) {
        auto *entries = static_cast<char *>(palloc0(res.entry_size * kChunk));
        if (res.prepare) res.prepare(entries, kChunk);
        int count = 0, i = start;
        for (; i < n && count < kChunk; ++i) {
            CHECK_FOR_INTERRUPTS();
            if (i > start && records[i].wc_id == records[i - 1].wc_id) break;  // one id per statement
            if (parse_guarded(call, &records[i], res.parse, entries + res.entry_size * count, counts)) ++count;
        }
        res.write(state, entries, count);
        start = i;
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
        bytea *stored = DatumGetByteaPP(stored_hash);
        if (VARSIZE_ANY_EXHDR(stored) == 32 && std::memcmp(VARDATA_ANY(stored), VARDATA_ANY(mine_hash), 32) == 0)
            return Fate::Same;
    }
    return Fate::Write;
}

Datum copy_uuid(Datum d) {
    auto *u = static_cast<pg_uuid_t *>(palloc(sizeof(pg_uuid_t)));
    std::memcpy(u, DatumGetUUIDP(d), sizeof(pg_uuid_t));
    return UUIDPGetDatum(u);
}

}  // namespace woo::pg::ingest
