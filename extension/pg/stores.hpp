// Settings of the store, chart and conversation functions (extension/pg/stores.cpp).
#pragma once

namespace woo::pg {

// Defines woo.bcrypt_cost, woo.conversation_max_messages and woo.message_max_bytes
// (all PGC_SUSET). Called from _PG_init before the "woo" prefix is reserved.
void define_store_gucs();

}  // namespace woo::pg
