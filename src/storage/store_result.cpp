#include "storage/store_result.h"

namespace dfp::storage {

std::string_view describe(StoreError error) {
    switch (error) {
        case StoreError::UserNotFound:
            return "no such user";
        case StoreError::ThreadNotFound:
            return "no such thread";
        case StoreError::MessageNotFound:
            return "no such message";
        case StoreError::FileNotFound:
            return "no such file";
        case StoreError::AlreadyExists:
            return "already exists";
        case StoreError::WrongPassword:
            return "wrong password";
        case StoreError::NotAuthor:
            return "not the author of that message";
        case StoreError::NotCreator:
            return "not the creator of that thread";
        case StoreError::NotAllowed:
            return "neither the uploader nor the thread's creator";
        case StoreError::TooLarge:
            return "file too large";
        case StoreError::SizeMismatch:
            return "size differs from the announced size";
        case StoreError::ChecksumMismatch:
            return "checksum mismatch";
        case StoreError::StorageFull:
            return "storage full";
    }
    return "unknown store error";
}

}  // namespace dfp::storage
