// woo-load's inputs: the files, directories or standard input named on the
// command line, each read in chunks and split into records.
#include "woo_load.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace woo::load {

namespace {

constexpr std::size_t kReadChunk = 1 << 20;   // bytes read from an input at a time

bool is_input_file(const fs::path &p) {
    auto ext = p.extension().string();
    return ext == ".json" || ext == ".ndjson" || ext == ".jsonl";
}

}  // namespace

Reader::Reader(const std::string &path) : path_(path) {
    if (path == "-") {
        fd_ = 0;
    } else {
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
    }
    buf_.resize(kReadChunk);
}

Reader::~Reader() {
    if (fd_ > 0) ::close(fd_);
}

bool Reader::next(Record &r) {
    while (!splitter_.next(r)) {
        if (eof_) return false;
        ssize_t n = ::read(fd_, buf_.data(), buf_.size());
        if (n < 0) {
            if (errno == EINTR) {
                if (interrupted()) return false;
                continue;
            }
            throw std::runtime_error(path_ + ": " + std::strerror(errno));
        }
        if (n == 0) {
            eof_ = true;
            splitter_.finish();
            continue;
        }
        splitter_.feed(std::string_view(buf_.data(), static_cast<std::size_t>(n)));
    }
    return true;
}

// Expands the inputs, tells each file's resource, and orders them for loading.
std::vector<Source> plan_sources(const Options &o) {
    std::vector<Source> out;
    std::set<std::string> seen;
    auto add = [&](const std::string &path) {
        Source s;
        s.path = path;
        if (path == "-") {
            s.key = "-";
        } else {
            std::error_code ec;
            s.key = fs::weakly_canonical(fs::absolute(path), ec).string();
            if (ec) s.key = fs::absolute(path).lexically_normal().string();
        }
        if (!seen.insert(s.key).second) return;   // the same file named twice is loaded once
        if (path != "-") {
            struct stat st {};
            if (::stat(path.c_str(), &st) == 0) s.bytes = static_cast<std::uint64_t>(st.st_size);
        }
        if (o.resource) {
            s.resource = *o.resource;
            if (path == "-") s.reader = std::make_unique<Reader>(path);
        } else {
            auto reader = std::make_unique<Reader>(path);
            Record first;
            if (!reader->next(first)) return;   // no record: nothing to load
            auto r = infer_resource(first.json);
            if (!r)
                throw std::runtime_error(path + ": cannot tell which WooCommerce resource record 1 (line " +
                                         std::to_string(first.line) + ") is; pass --resource");
            s.resource = *r;
            s.inferred = true;
            if (path == "-") {
                s.reader = std::move(reader);
                s.first = std::move(first);
            }
        }
        out.push_back(std::move(s));
    };
    for (const auto &in : o.inputs) {
        if (in == "-") {
            add(in);
            continue;
        }
        std::error_code ec;
        auto st = fs::status(in, ec);
        if (ec || !fs::exists(st)) throw std::runtime_error(in + ": no such file or directory");
        if (fs::is_directory(st)) {
            std::vector<std::string> files;
            for (auto it = fs::recursive_directory_iterator(in); it != fs::recursive_directory_iterator(); ++it)
                if (it->is_regular_file() && is_input_file(it->path())) files.push_back(it->path().string());
            std::sort(files.begin(), files.end());
            for (const auto &f : files) add(f);
        } else {
            add(in);
        }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Source &a, const Source &b) { return load_rank(a.resource) < load_rank(b.resource); });
    return out;
}

}  // namespace woo::load
