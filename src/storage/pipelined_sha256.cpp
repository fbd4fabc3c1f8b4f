#include "storage/pipelined_sha256.h"

#include <utility>

namespace dfp::storage {

PipelinedSha256::PipelinedSha256(bool pipelined) {
    if (pipelined) {
        thread_ = std::thread([this] { run(); });
    }
}

PipelinedSha256::~PipelinedSha256() {
    if (!thread_.joinable()) {
        return;
    }
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

void PipelinedSha256::update(std::string_view bytes) {
    if (!thread_.joinable()) {
        sha_.update(bytes);
        return;
    }
    std::unique_lock lock(mu_);
    changed_.wait(lock, [this] { return queued_.size() < kQueued; });
    std::string chunk;
    if (!spare_.empty()) {
        chunk = std::move(spare_.back());
        spare_.pop_back();
    }
    lock.unlock();
    chunk.assign(bytes);  // outside the lock: the copy is the caller's time, not the thread's
    lock.lock();
    queued_.push_back(std::move(chunk));
    lock.unlock();
    changed_.notify_all();
}

std::string PipelinedSha256::finishHex() {
    if (thread_.joinable()) {
        std::unique_lock lock(mu_);
        changed_.wait(lock, [this] { return queued_.empty() && !hashing_; });
        if (error_) {
            std::rethrow_exception(error_);
        }
    }
    return sha_.finishHex();
}

void PipelinedSha256::run() {
    std::unique_lock lock(mu_);
    for (;;) {
        changed_.wait(lock, [this] { return !queued_.empty() || stopping_; });
        if (stopping_) {
            return;
        }
        std::string chunk = std::move(queued_.front());
        queued_.pop_front();
        hashing_ = true;
        const bool failed = error_ != nullptr;  // the hash is spoilt: skip the rest
        lock.unlock();
        std::exception_ptr error;
        try {
            if (!failed) {
                sha_.update(chunk);
            }
        } catch (...) {
            error = std::current_exception();
        }
        lock.lock();
        if (error) {
            error_ = error;
        }
        hashing_ = false;
        spare_.push_back(std::move(chunk));
        changed_.notify_all();
    }
}

}  // namespace dfp::storage
