// Library entry points: the module magic block and _PG_init.
#include "pg/rollup.hpp"
#include "pg/stores.hpp"
#include "pg/tenant.hpp"

extern "C" {
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;

void _PG_init(void);
}

// Runs at server start when preloaded (the supported set-up), else at first use.
void _PG_init(void) {
    woo::pg::define_store_gucs();
    woo::pg::define_tenant_gucs();  // last: it reserves the "woo" prefix
    woo::pg::install_hooks();
    woo::pg::rollup::register_callbacks();
}
