// woo-load's progress on stderr: a bar redrawn 4 times a second on a terminal,
// a line every 2 seconds otherwise.
#include "woo_load.hpp"

#include <algorithm>
#include <cstdio>
#include <unistd.h>

namespace woo::load {

Progress::Progress(const Run &run, Options::Progress mode, std::uint64_t total_bytes) : run_(run), total_(total_bytes) {
    bar_ = mode == Options::Progress::Bar || (mode == Options::Progress::Auto && isatty(2));
    on_ = mode != Options::Progress::None;
    if (on_) thread_ = std::thread([this] { loop(); });
}

Progress::~Progress() { stop(); }

void Progress::stop() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard<std::mutex> lock(mu_);
        done_ = true;
    }
    cv_.notify_all();
    thread_.join();
    if (bar_) std::fputs("\n", stderr);
}

void Progress::loop() {
    auto period = bar_ ? std::chrono::milliseconds(250) : std::chrono::milliseconds(2000);
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, period, [&] { return done_; })) draw();
    draw();
}

void Progress::draw() {
    Counts c = run_.totals();
    double secs = std::chrono::duration<double>(Clock::now() - start_).count();
    double rate = secs > 0 ? c.records / secs : 0;
    const std::uint64_t sent = run_.bytes_done(), done = sent + run_.bytes_skipped();
    std::string eta = "?";
    double frac = total_ ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total_)) : 0;
    if (total_ && sent > 0 && secs > 0.5) {   // the rate counts what this run committed, not what it skipped
        double brate = static_cast<double>(sent) / secs;
        eta = clock_text(static_cast<double>(total_ > done ? total_ - done : 0) / brate);
    }
    char line[256];
    if (bar_) {
        const int width = 24;
        int fill = static_cast<int>(frac * width);
        std::string bar = std::string(static_cast<std::size_t>(fill), '#') + std::string(static_cast<std::size_t>(width - fill), '.');
        std::snprintf(line, sizeof line, "\r[%s] %3.0f%% %s records  %s/s  ETA %s  rejected %s   ",
                      total_ ? bar.c_str() : "........................", frac * 100, with_commas(c.records).c_str(),
                      with_commas(static_cast<std::uint64_t>(rate)).c_str(), eta.c_str(),
                      with_commas(c.rejected).c_str());
    } else {
        std::snprintf(line, sizeof line, "woo-load: %s records committed (%s/s), %s%s ETA %s, %s rejected, %s\n",
                      with_commas(c.records).c_str(), with_commas(static_cast<std::uint64_t>(rate)).c_str(),
                      total_ ? std::to_string(static_cast<int>(frac * 100)).c_str() : "?",
                      "% of the input,", eta.c_str(), with_commas(c.rejected).c_str(), clock_text(secs).c_str());
    }
    std::fputs(line, stderr);
    std::fflush(stderr);
}

}  // namespace woo::load
