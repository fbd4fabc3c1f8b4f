#include "storage/fifo_slots.h"

#include <algorithm>

namespace dfp::storage {

void FifoSlots::acquire() {
    std::unique_lock lock(mu_);
    if (free_ > 0) {
        --free_;
        return;
    }
    const auto self = queue_.emplace(queue_.end());
    self->wake.wait(lock, [&] { return self->granted; });
    queue_.erase(self);
}

void FifoSlots::release() {
    const std::lock_guard lock(mu_);
    const auto next =
        std::find_if(queue_.begin(), queue_.end(), [](const Waiter& w) { return !w.granted; });
    if (next == queue_.end()) {
        ++free_;
        return;
    }
    next->granted = true;
    next->wake.notify_one();
}

std::size_t FifoSlots::waiting() const {
    const std::lock_guard lock(mu_);
    return static_cast<std::size_t>(
        std::count_if(queue_.begin(), queue_.end(), [](const Waiter& w) { return !w.granted; }));
}

}  // namespace dfp::storage
