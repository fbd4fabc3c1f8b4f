#include "bench/rss_watch.h"

#include <charconv>
#include <chrono>
#include <fstream>
#include <string>

namespace dfp::bench {
namespace {

constexpr auto kSampleInterval = std::chrono::milliseconds(5);

std::string procPath(pid_t pid, const char* file) {
    return "/proc/" + std::to_string(pid) + "/" + file;
}

}  // namespace

RssWatch::RssWatch(pid_t pid) : pid_(pid) {}

RssWatch::~RssWatch() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    wake_.notify_all();
    if (sampler_.joinable()) {
        sampler_.join();
    }
}

std::optional<std::uint64_t> RssWatch::readStatusKib(pid_t pid, std::string_view field) {
    std::ifstream in(procPath(pid, "status"));
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() > field.size() && line.compare(0, field.size(), field) == 0 &&
            line[field.size()] == ':') {
            std::size_t pos = field.size() + 1;
            while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) {
                ++pos;
            }
            std::uint64_t value = 0;
            auto [end, ec] = std::from_chars(line.data() + pos, line.data() + line.size(), value);
            if (ec != std::errc()) {
                return std::nullopt;
            }
            return value;
        }
    }
    return std::nullopt;
}

void RssWatch::begin() {
    // "5" resets the peak RSS (proc(5), clear_refs); without the right it simply fails.
    std::ofstream clear(procPath(pid_, "clear_refs"));
    clear << "5\n";
    clear.flush();
    report_.peakExact = static_cast<bool>(clear);
    report_.startKib = readStatusKib(pid_, "VmRSS").value_or(0);
    sampledPeak_ = report_.startKib;
    sampler_ = std::thread([this] { sample(); });
}

void RssWatch::sample() {
    std::unique_lock lock(mu_);
    while (!stop_) {
        lock.unlock();
        if (std::optional<std::uint64_t> rss = readStatusKib(pid_, "VmRSS")) {
            if (*rss > sampledPeak_) {
                sampledPeak_ = *rss;
            }
        }
        lock.lock();
        wake_.wait_for(lock, kSampleInterval, [this] { return stop_; });
    }
}

RssReport RssWatch::end() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    wake_.notify_all();
    if (sampler_.joinable()) {
        sampler_.join();
    }
    report_.endKib = readStatusKib(pid_, "VmRSS").value_or(0);
    report_.peakKib = std::max(sampledPeak_.load(), report_.endKib);
    if (report_.peakExact) {
        report_.peakKib = std::max(report_.peakKib, readStatusKib(pid_, "VmHWM").value_or(0));
    }
    return report_;
}

}  // namespace dfp::bench
