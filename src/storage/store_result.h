#pragma once

// Expected outcomes of store operations are values, not exceptions (STYLE.md §4). The
// unexpected (I/O failure, corruption, a bug) throws std::exception subclasses.

#include <cassert>
#include <string_view>
#include <utility>
#include <variant>

namespace dfp::storage {

enum class StoreError {
    UserNotFound,
    ThreadNotFound,
    MessageNotFound,
    FileNotFound,
    AlreadyExists,  // user name (any case), thread title, or file name within its thread
    WrongPassword,
    NotAuthor,         // EDT/DLT of someone else's message
    NotCreator,        // RMV of someone else's thread
    NotAllowed,        // RMF by neither the uploader nor the thread's creator
    TooLarge,          // upload over the size limit
    SizeMismatch,      // upload committed with fewer or more bytes than announced
    ChecksumMismatch,  // upload's sha256 differs from the one announced
    StorageFull,       // the disk (or the database) is full
};

// A short description for logs and people, e.g. "no such thread".
std::string_view describe(StoreError error);

template <typename T>
class [[nodiscard]] StoreResult {
public:
    StoreResult(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
    StoreResult(StoreError error) : v_(error) {}    // NOLINT: implicit by design

    explicit operator bool() const { return v_.index() == 0; }
    bool ok() const { return v_.index() == 0; }
    StoreError error() const {
        assert(!ok());
        return std::get<1>(v_);
    }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

private:
    std::variant<T, StoreError> v_;
};

struct Done {};  // the value of a result that carries nothing but success
using StoreStatus = StoreResult<Done>;

}  // namespace dfp::storage
