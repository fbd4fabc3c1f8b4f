// UPD, DWN and RMF: files attached to threads (protocol.md §4).

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>

#include "protocol/validators.h"
#include "server/session.h"

namespace dfp::server {

using protocol::Code;
using protocol::Reply;
using storage::StoreError;

namespace {

constexpr std::size_t kDownloadChunk = 256 * 1024;

std::optional<Reply> checkTitleAndFile(const std::string& title, const std::string& file) {
    if (auto problem = protocol::checkTitle(title)) {
        return Reply{Code::BadRequest, {}, "invalid title: " + *problem};
    }
    if (auto problem = protocol::checkFileName(file)) {
        return Reply{Code::BadRequest, {}, "invalid file name: " + *problem};
    }
    return std::nullopt;
}

}  // namespace

void ReplySink::writeFile(storage::FileReader& file, std::uint64_t size) {
    // One buffer for the whole transfer, never cleared: each chunk is read straight into it
    // and written from it.
    const auto chunk = std::make_unique_for_overwrite<char[]>(kDownloadChunk);
    while (size > 0) {
        std::size_t got = file.readInto(chunk.get(), kDownloadChunk);
        if (got == 0) {
            throw std::runtime_error(fileShorterThanRecord(file.info()));
        }
        got = static_cast<std::size_t>(std::min<std::uint64_t>(got, size));
        write(std::string_view(chunk.get(), got));
        size -= got;
    }
}

std::string fileShorterThanRecord(const storage::FileInfo& info) {
    // A blob that shrank is corruption; with the body's length promised, the only honest
    // thing left is to drop the connection.
    return "stored file " + info.name + " is shorter than its record";
}

Next Session::startUpload(const protocol::Request& request, ReplySink& out) {
    const std::string& title = request.args[0];
    const std::string& file = request.args[1];
    if (auto refusal = checkTitleAndFile(title, file)) {
        return reply(out, *refusal);
    }
    auto size = protocol::parseSize(request.args[2]);
    if (!size) {
        return refuse(out, Code::BadRequest, "size must be a number of bytes");
    }
    std::optional<std::string> sha256;
    if (request.args.size() == 4) {
        sha256 = protocol::parseSha256(request.args[3]);
        if (!sha256) {
            return refuse(out, Code::BadRequest, "sha256 must be 64 hex digits");
        }
    }
    // Everything that can be checked is checked before 340, so a refused client sends nothing.
    if (*size > context_.config.maxFileSize) {
        return refuse(out, Code::TooLarge,
                      "file larger than the limit of " +
                          std::to_string(context_.config.maxFileSize) + " bytes");
    }
    auto upload = context_.store.beginUpload(title, file, user_, *size);
    if (!upload) {
        if (upload.error() == StoreError::AlreadyExists) {
            return reply(out, Reply{Code::Conflict, {file}, "file exists in thread"});
        }
        return storeRefusal(out, upload.error());
    }
    upload_ = PendingUpload{std::move(*upload), file, *size, std::move(sha256), std::nullopt};
    state_ = State::Receiving;
    reply(out, Reply{Code::SendBytes, {std::to_string(*size)}, "send the bytes"});
    return {Next::Action::ReceiveUpload, *size};
}

void Session::receiveUpload(std::string_view bytes) {
    if (!upload_ || upload_->failed) {
        return;  // a failed upload still consumes its bytes, to keep the framing
    }
    if (auto written = upload_->upload->write(bytes); !written) {
        upload_->failed = written.error();
        upload_->upload.reset();  // removes the temp file now rather than after the transfer
    }
}

Next Session::finishUpload(ReplySink& out) {
    PendingUpload pending = std::move(*upload_);
    upload_.reset();
    state_ = State::Ready;
    if (pending.failed) {
        return storeRefusal(out, *pending.failed);
    }
    auto stored = pending.upload->commit(pending.sha256);
    if (!stored) {
        switch (stored.error()) {
            case StoreError::ChecksumMismatch:
                return refuse(out, Code::BadRequest, "checksum mismatch, nothing stored");
            case StoreError::AlreadyExists:
                return reply(out,
                             Reply{Code::Conflict, {pending.fileName}, "file exists in thread"});
            default:
                return storeRefusal(out, stored.error());
        }
    }
    return reply(out,
                 Reply{Code::Created, {stored->name, std::to_string(stored->size)}, "uploaded"});
}

void Session::abandonUpload() {
    upload_.reset();
    if (state_ == State::Receiving) {
        state_ = State::Ready;
    }
}

Next Session::downloadFile(const protocol::Request& request, ReplySink& out) {
    const std::string& title = request.args[0];
    const std::string& file = request.args[1];
    if (auto refusal = checkTitleAndFile(title, file)) {
        return reply(out, *refusal);
    }
    auto reader = context_.store.openFile(title, file);
    if (!reader) {
        return storeRefusal(out, reader.error());
    }
    const storage::FileInfo& info = (*reader)->info();
    out.write(protocol::format(
        Reply{Code::FileFollows, {std::to_string(info.size), info.sha256, info.name}, ""}));
    out.writeFile(**reader, info.size);
    return {};
}

Next Session::removeFile(const protocol::Request& request, ReplySink& out) {
    const std::string& title = request.args[0];
    const std::string& file = request.args[1];
    if (auto refusal = checkTitleAndFile(title, file)) {
        return reply(out, *refusal);
    }
    if (auto done = context_.store.removeFile(title, file, user_); !done) {
        return storeRefusal(out, done.error());
    }
    return reply(out, Reply{Code::Ok, {"file", file}, "removed"});
}

}  // namespace dfp::server
