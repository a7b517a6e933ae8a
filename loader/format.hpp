// Numbers and durations as woo-load prints them (PostgreSQL-free; unit-tested
// in tests/test_loader_format.cpp).
#pragma once

#include <cstdint>
#include <string>

namespace woo::load {

// 1234567 -> "1,234,567".
std::string with_commas(std::uint64_t v);
// Seconds, rounded, as m:ss, or h:mm:ss from an hour: 75 -> "1:15", 3725 -> "1:02:05".
std::string clock_text(double seconds);

}  // namespace woo::load
