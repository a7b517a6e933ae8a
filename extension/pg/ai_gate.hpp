// The statement gate of woo.ai_query (extension/pg/ai_query.cpp), shared with
// the functions that check model-written SQL without running it (woo.save_chart).
#pragma once

namespace woo::pg {

// Refuses (42501, woo.ai_query's messages) anything but exactly one read-only
// SELECT; returns the statement wrapped as woo.ai_query runs it (LIMIT max_rows).
char *ai_query_gate(const char *sql, int max_rows);

}  // namespace woo::pg
