#include "client/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "client/presenter.h"

namespace dfp::client {
namespace {

constexpr std::size_t kDefaultWidth = 80;
constexpr std::size_t kMinBar = 10;
constexpr std::size_t kMaxBar = 40;

}  // namespace

std::string formatDuration(std::chrono::seconds duration) {
    const long long total = std::max<long long>(duration.count(), 0);
    const long long hours = total / 3600;
    const long long minutes = total / 60 % 60;
    const long long seconds = total % 60;
    char text[32];
    if (hours > 0) {
        std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", hours, minutes, seconds);
    } else {
        std::snprintf(text, sizeof text, "%lld:%02lld", minutes, seconds);
    }
    return text;
}

std::string formatProgress(const std::string& label, std::uint64_t done, std::uint64_t total,
                           std::chrono::duration<double> elapsed, std::size_t width) {
    done = std::min(done, total);
    const double fraction =
        total == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
    const double seconds = elapsed.count();
    const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;

    char percent[8];
    std::snprintf(percent, sizeof percent, "%3d%%", static_cast<int>(std::floor(fraction * 100)));
    std::string tail = std::string("  ") + percent + "  " + formatBytes(done) + "/" +
                       formatBytes(total) + "  " + formatBytes(static_cast<std::uint64_t>(rate)) +
                       "/s";
    if (done < total && rate > 0) {
        const double left = static_cast<double>(total - done) / rate;
        tail += "  " + formatDuration(std::chrono::seconds(static_cast<long long>(left + 0.5))) +
                " left";
    } else if (done == total) {
        tail +=
            "  " + formatDuration(std::chrono::seconds(static_cast<long long>(seconds))) + "     ";
    }

    // The bar takes what the label and the numbers leave, within bounds; the label is cut
    // short before the bar is.
    std::string name = printable(label);
    const std::size_t fixed = tail.size() + 3;  // " [" and "]"
    std::size_t barWidth = kMaxBar;
    if (name.size() + fixed + barWidth > width) {
        barWidth = width > name.size() + fixed ? width - name.size() - fixed : kMinBar;
        barWidth = std::clamp(barWidth, kMinBar, kMaxBar);
    }
    if (name.size() + fixed + barWidth > width) {
        const std::size_t room = width > fixed + barWidth ? width - fixed - barWidth : 0;
        name = room >= 4 ? name.substr(0, room - 3) + "..." : std::string();
    }

    const auto filled = static_cast<std::size_t>(fraction * static_cast<double>(barWidth));
    std::string bar(barWidth, ' ');
    std::fill_n(bar.begin(), filled, '=');
    if (filled < barWidth && filled > 0) {
        bar[filled - 1] = '>';
    }
    std::string line = name + (name.empty() ? "[" : " [") + bar + "]" + tail;
    if (line.size() > width) {
        line.resize(width);
    }
    return line;
}

void ProgressBar::start(const std::string& label, std::uint64_t total) {
    label_ = label;
    total_ = total;
    done_ = 0;
    started_ = std::chrono::steady_clock::now();
    lastDraw_ = started_;
    shown_ = false;
}

void ProgressBar::advance(std::uint64_t done) {
    done_ = done;
    const auto now = std::chrono::steady_clock::now();
    if (now - started_ < kDelay || now - lastDraw_ < kRedraw) {
        return;
    }
    draw(now);
}

void ProgressBar::finish(bool completed) {
    if (!shown_) {
        return;
    }
    if (completed) {
        done_ = total_;
        draw(std::chrono::steady_clock::now());
        std::fputs("\n", out_);
    } else {
        std::fputs("\r\033[K", out_);
    }
    std::fflush(out_);
    shown_ = false;
}

void ProgressBar::draw(std::chrono::steady_clock::time_point now) {
    lastDraw_ = now;
    shown_ = true;
    const std::string line = formatProgress(label_, done_, total_, now - started_, width() - 1);
    std::fputs(("\r" + line + "\033[K").c_str(), out_);
    std::fflush(out_);
}

std::size_t ProgressBar::width() const {
    struct winsize size {};
    if (::ioctl(::fileno(out_), TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
        return size.ws_col;
    }
    return kDefaultWidth;
}

}  // namespace dfp::client
