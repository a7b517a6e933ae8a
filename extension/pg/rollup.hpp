// The day-level sales rollup (public.sales_daily), kept by one C trigger
// function on orders, order_items and refunds (extension 1.7; rollup.cpp).
//
// Every firing turns the rows it was given into signed per-(store, local day)
// deltas and writes them with one INSERT ... ON CONFLICT. Inside a write of
// woo.upsert_orders the deltas of all its statements (orders, line items,
// refunds) are gathered in a batch instead and written once, at the end of the
// write: the batch only gathers what the triggers computed, so the rollup stays
// right whoever writes, and a firing in another subtransaction than the batch's
// writes its own deltas at once (a rollback of that subtransaction takes them
// away with its rows). A (sub)transaction abort discards a batch it opened.
#pragma once

namespace woo::pg::rollup {

// Opens a batch for the current (sub)transaction when the database's rollup
// triggers are the C ones (woo._sales_daily_flush exists: extension 1.7) and no
// batch is open. Returns whether this call opened it.
bool batch_begin();
// Writes the batch opened by batch_begin (through woo._sales_daily_flush(),
// SECURITY DEFINER: the caller cannot write public.sales_daily) and closes it.
void batch_end(bool opened);
// The transaction callbacks that discard an aborted batch (from _PG_init).
void register_callbacks();

}  // namespace woo::pg::rollup
