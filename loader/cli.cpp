// woo-load's command line: the options, --help, --version and usage errors.
#include "woo_load.hpp"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <getopt.h>

namespace woo::load {

namespace {

constexpr const char *kVersion = "woo-load 1.0 (pg_woocommerce)";

[[noreturn]] void usage_error(const std::string &msg) {
    std::fprintf(stderr, "woo-load: %s\nTry 'woo-load --help'.\n", msg.c_str());
    std::exit(kExitUsage);
}

void print_help() {
    std::printf(
        "Usage: woo-load --db CONNINFO --store UUID [options] FILE|DIR|- ...\n"
        "Loads WooCommerce REST exports (JSON arrays, several arrays, or NDJSON) into\n"
        "pg_woocommerce through woo.upsert_*, one transaction per batch.\n\n"
        "  --db CONNINFO        libpq connection string or URI (default: PG* environment)\n"
        "  --store UUID         the store the records belong to (must exist)\n"
        "  --resource R         orders|products|customers|categories|coupons (default: inferred per file)\n"
        "  --batch N            records per transaction (default 100, 1..10000)\n"
        "  --jobs N             parallel connections (default 1, 1..64)\n"
        "  --lenient            set bad records aside in woo.ingest_rejects instead of stopping\n"
        "  --resume             continue the newest unfinished load of this store and kind\n"
        "  --retries N          retries of a transient failure or lost connection (default 5)\n"
        "  --progress MODE      auto|bar|lines|none (default auto: a bar on a terminal)\n"
        "  --version, --help\n"
        "Directories are searched recursively for *.json, *.ndjson and *.jsonl; categories,\n"
        "products, customers and coupons load before orders. '-' reads standard input.\n"
        "Exit status: 0 completed, 1 failed, 2 usage, 3 could not connect, 130 interrupted.\n");
}

bool looks_like_uuid(const std::string &s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    return true;
}

long parse_int(const char *opt, const char *text, long lo, long hi) {
    char *end = nullptr;
    errno = 0;
    long v = std::strtol(text, &end, 10);
    if (errno || !end || *end || v < lo || v > hi)
        usage_error(std::string(opt) + " must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    return v;
}

}  // namespace

Options parse_options(int argc, char **argv) {
    Options o;
    static const option longopts[] = {
        {"db", required_argument, nullptr, 'd'},      {"store", required_argument, nullptr, 's'},
        {"resource", required_argument, nullptr, 'r'}, {"batch", required_argument, nullptr, 'b'},
        {"jobs", required_argument, nullptr, 'j'},    {"lenient", no_argument, nullptr, 'l'},
        {"resume", no_argument, nullptr, 'R'},        {"retries", required_argument, nullptr, 't'},
        {"progress", required_argument, nullptr, 'p'}, {"help", no_argument, nullptr, 'h'},
        {"version", no_argument, nullptr, 'V'},       {nullptr, 0, nullptr, 0}};
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, nullptr)) != -1) {
        switch (c) {
        case 'd': o.db = optarg; break;
        case 's': o.store = optarg; break;
        case 'r':
            o.resource = parse_resource(optarg);
            if (!o.resource) usage_error(std::string("unknown resource \"") + optarg + "\" (orders, products, customers, categories or coupons)");
            break;
        case 'b': o.batch = static_cast<std::size_t>(parse_int("--batch", optarg, 1, 10000)); break;
        case 'j': o.jobs = static_cast<int>(parse_int("--jobs", optarg, 1, 64)); break;
        case 'l': o.lenient = true; break;
        case 'R': o.resume = true; break;
        case 't': o.retries = static_cast<int>(parse_int("--retries", optarg, 0, 100)); break;
        case 'p': {
            std::string m = optarg;
            if (m == "auto") o.progress = Options::Progress::Auto;
            else if (m == "bar") o.progress = Options::Progress::Bar;
            else if (m == "lines") o.progress = Options::Progress::Lines;
            else if (m == "none") o.progress = Options::Progress::None;
            else usage_error("--progress must be auto, bar, lines or none");
            break;
        }
        case 'h': print_help(); std::exit(kExitOk);
        case 'V': std::printf("%s\n", kVersion); std::exit(kExitOk);
        default: usage_error(std::string("unknown or incomplete option ") + argv[optind - 1]);
        }
    }
    for (int i = optind; i < argc; ++i) o.inputs.emplace_back(argv[i]);
    if (o.store.empty()) usage_error("--store is required");
    if (!looks_like_uuid(o.store)) usage_error("--store must be a UUID, not \"" + o.store + "\"");
    if (o.inputs.empty()) usage_error("no input: give files, directories, or - for standard input");
    int stdin_count = 0;
    for (const auto &in : o.inputs) stdin_count += in == "-";
    if (stdin_count > 1) usage_error("standard input (-) can be given only once");
    return o;
}

}  // namespace woo::load
