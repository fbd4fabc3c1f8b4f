#include "client/session.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <system_error>

#include "client/download_file.h"
#include "client/output_path.h"
#include "client/posix_fd.h"
#include "client/sha256.h"
#include "protocol/codes.h"
#include "protocol/request.h"

namespace dfp::client {
namespace {

using protocol::Code;
using protocol::ResponseEvent;
using protocol::Verb;
using Kind = ResponseEvent::Kind;

constexpr std::size_t kShownPrefix = 80;

bool isSuccess(int code) {
    return code >= 200 && code < 300;
}

std::string seconds(std::chrono::milliseconds duration) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(duration).count()) +
           " s";
}

CommandResult refusal(std::string text) {
    CommandResult result;
    result.status = CommandResult::Status::Refused;
    result.refusal = std::move(text);
    return result;
}

// Finishes a progress display however the transfer ends, so an exception never leaves a
// half-drawn bar behind.
class ProgressScope {
public:
    ProgressScope(ProgressListener* listener, const std::string& label, std::uint64_t total)
        : listener_(listener) {
        if (listener_ != nullptr) {
            listener_->start(label, total);
        }
    }
    ~ProgressScope() { finish(false); }
    ProgressScope(const ProgressScope&) = delete;
    ProgressScope& operator=(const ProgressScope&) = delete;

    void advance(std::uint64_t done) {
        if (listener_ != nullptr) {
            listener_->advance(done);
        }
    }
    void finish(bool completed) {
        if (listener_ != nullptr) {
            listener_->finish(completed);
            listener_ = nullptr;
        }
    }

private:
    ProgressListener* listener_;
};

// "<author> uploaded <file>" in an RDT body (protocol.md §4). A message line reads
// "<n> <author>: <text>", whose second token ends in ':', which a username cannot.
std::optional<std::string> uploadedFile(const std::string& entry) {
    const std::size_t first = entry.find(' ');
    if (first == std::string::npos || entry.compare(first, 10, " uploaded ") != 0) {
        return std::nullopt;
    }
    std::string file = entry.substr(first + 10);
    if (file.empty() || file.find(' ') != std::string::npos) {
        return std::nullopt;
    }
    return file;
}

}  // namespace

ClientSession::ClientSession(Transport& transport, SessionSettings settings)
    : transport_(transport), settings_(std::move(settings)) {}

bool ClientSession::receiveMore(std::chrono::milliseconds timeout) {
    Transport::Received received = transport_.receive(timeout);
    switch (received.status) {
        case Transport::Status::Ok:
            receivedAny_ = receivedAny_ || !received.bytes.empty();
            reader_.feed(received.bytes);
            return true;
        case Transport::Status::Closed:
            closed_ = true;
            return true;
        case Transport::Status::TimedOut:
            return false;
        case Transport::Status::Interrupted:
            throw Interrupted();
    }
    return false;
}

void ClientSession::checkInterrupt() const {
    if (settings_.interrupted && settings_.interrupted()) {
        throw Interrupted();
    }
}

void ClientSession::handleNotice(const ResponseEvent& event) {
    const std::string words = describeNotice(event.code, event.text);
    if (noticeEndsSession(event.code)) {
        // The server closes right after a 600/601 (protocol.md §5): nothing more can happen.
        throw SessionEnded(words, event.code);
    }
    if (noticeListener_) {
        noticeListener_(words);
    }
}

ResponseEvent ClientSession::nextEvent() {
    for (;;) {
        std::optional<ResponseEvent> event = reader_.next();
        if (!event) {
            if (closed_) {
                throw SessionEnded("The server closed the connection");
            }
            if (!receiveMore(settings_.timeout)) {
                throw SessionEnded("The server did not answer for " + seconds(settings_.timeout) +
                                   "; giving up");
            }
            continue;
        }
        if (event->kind == Kind::Malformed) {
            throw SessionEnded("The server sent something that is not DFP/1: " +
                               printable(event->text.substr(0, kShownPrefix)));
        }
        // 6xx may come wherever a status line may (protocol.md §5): before any response.
        if (event->kind == Kind::Notice) {
            handleNotice(*event);
            continue;
        }
        return std::move(*event);
    }
}

Reply ClientSession::readReply() {
    ResponseEvent status = nextEvent();
    if (status.kind != Kind::Status) {
        throw SessionEnded("The server sent a body where a response was due");
    }
    Reply reply{status.code, std::move(status.text), std::move(status.fields), {}};
    if (reply.code == protocol::toInt(Code::FileFollows)) {
        skipBinaryBody();
        return reply;
    }
    while (reader_.inBody()) {
        ResponseEvent line = nextEvent();
        if (line.kind == Kind::BodyEnd) {
            break;
        }
        reply.body.push_back(std::move(line.text));
    }
    return reply;
}

void ClientSession::skipBinaryBody() {
    while (reader_.inBody()) {
        if (nextEvent().kind == Kind::BinaryEnd) {
            break;
        }
    }
}

void ClientSession::sendLine(const std::string& line) {
    sendBytes(line + "\n");
}

void ClientSession::sendBytes(std::string_view bytes) {
    switch (transport_.send(bytes, settings_.timeout)) {
        case Transport::Status::Ok:
            return;
        case Transport::Status::Interrupted:
            throw Interrupted();
        case Transport::Status::TimedOut:
            throw SessionEnded("The server took no data for " + seconds(settings_.timeout) +
                               "; giving up");
        case Transport::Status::Closed:
            break;
    }
    // The server went away while we were sending. It may have said why first (a 600 during
    // an upload): a notice among the bytes received makes the better message.
    while (receiveMore(std::chrono::milliseconds(0)) && !closed_) {
    }
    closed_ = true;
    while (std::optional<ResponseEvent> event = reader_.next()) {
        if (event->kind == Kind::Notice) {
            handleNotice(*event);
        }
    }
    throw SessionEnded("The server closed the connection");
}

Reply ClientSession::greet() {
    Reply greeting;
    try {
        greeting = readReply();
    } catch (const SessionEnded& ended) {
        if (ended.noticeCode() != 0 || receivedAny_ || settings_.tls) {
            throw;
        }
        throw SessionEnded(
            (closed_ ? std::string("The server closed the connection without a "
                                   "greeting")
                     : "The server sent no greeting within " + seconds(settings_.timeout)) +
            "; if it serves TLS, add --tls");
    }
    if (greeting.code == protocol::toInt(Code::ServerBusy)) {
        throw SessionEnded("The server cannot take the session" +
                           (greeting.text.empty() ? "" : ": " + printable(greeting.text)));
    }
    if (greeting.code != protocol::toInt(Code::Ready) || greeting.field(0) != "DFP/1") {
        throw SessionEnded("The server did not greet as a DFP/1 server: " +
                           std::to_string(greeting.code) + " " + printable(greeting.text));
    }
    return greeting;
}

Reply ClientSession::sendUser(const std::string& name) {
    sendLine("USER " + name);
    return readReply();
}

Reply ClientSession::sendPass(const std::string& password) {
    sendLine("PASS " + password);
    return readReply();
}

void ClientSession::leave() {
    if (closed_) {
        return;
    }
    try {
        sendLine("XIT");
        readReply();
    } catch (const SessionEnded&) {
        // Gone already: leaving is done either way.
    } catch (const Interrupted&) {
    }
}

void ClientSession::checkIdle() {
    for (;;) {
        std::optional<ResponseEvent> event = reader_.next();
        if (!event) {
            if (closed_) {
                throw SessionEnded("The server closed the connection");
            }
            if (!receiveMore(std::chrono::milliseconds(0))) {
                return;
            }
            continue;
        }
        if (event->kind == Kind::Notice) {
            handleNotice(*event);
            continue;
        }
        throw SessionEnded("The server sent something unasked for: " +
                           printable(event->text.substr(0, kShownPrefix)));
    }
}

CommandResult ClientSession::run(const Command& command, ProgressListener* progress) {
    switch (command.kind) {
        case Command::Kind::Request:
            return runRequest(command);
        case Command::Kind::Upload:
            return runUpload(command, progress);
        case Command::Kind::Download:
            return runDownload(command, progress);
        default:
            throw std::logic_error("ClientSession::run: not a command for the server");
    }
}

CommandResult ClientSession::refused(const Command& command, const Reply& reply) {
    if (reply.code == protocol::toInt(Code::InternalError)) {
        // 500 closes the session (protocol.md §6).
        closed_ = true;
        throw SessionEnded(describeRefusal(command, reply));
    }
    CommandResult result = refusal(describeRefusal(command, reply));
    result.sessionOver = reply.code == protocol::toInt(Code::TooManyFailures);
    return result;
}

CommandResult ClientSession::runRequest(const Command& command) {
    sendLine(command.wireLine);
    const Reply reply = readReply();
    if (!isSuccess(reply.code)) {
        return refused(command, reply);
    }
    remember(command, reply);
    CommandResult result;
    result.lines = describeSuccess(command, reply);
    // The server closes after these (protocol.md §4, §5).
    if (command.spec->verb == Verb::Xit || command.spec->verb == Verb::Sht) {
        result.sessionOver = true;
        closed_ = true;
    }
    return result;
}

CommandResult ClientSession::runUpload(const Command& command, ProgressListener* progress) {
    FileDescriptor file;
    FileDigest digest;
    try {
        file = openForReading(command.localPath);
        struct stat info {};
        if (::fstat(file.get(), &info) != 0) {
            throwErrno(command.localPath);
        }
        // Size and sha256 first (protocol.md §4: the server checks both), then the bytes.
        // Hashing a big file takes a while too, so it gets its own, passing, progress bar.
        ProgressScope hashing(progress, "sha256 " + command.fileName,
                              static_cast<std::uint64_t>(info.st_size));
        digest = digestDescriptor(file.get(), [&](std::uint64_t done) {
            checkInterrupt();
            hashing.advance(done);
        });
        if (::lseek(file.get(), 0, SEEK_SET) != 0) {
            throwErrno(command.localPath);
        }
    } catch (const std::system_error& error) {
        return refusal("Cannot upload " + printable(command.localPath) + ": " +
                       printable(error.what()));
    }

    sendLine("UPD " + command.title + " " + command.fileName + " " + std::to_string(digest.size) +
             " " + digest.sha256);
    const Reply go = readReply();
    if (go.code != protocol::toInt(Code::SendBytes)) {
        return refused(command, go);
    }

    ProgressScope shown(progress, command.fileName, digest.size);
    std::string buffer(kFileChunk, '\0');
    std::uint64_t sent = 0;
    bool changed = false;
    while (sent < digest.size) {
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), digest.size - sent));
        std::size_t got = 0;
        try {
            got = changed ? 0 : readSome(file.get(), buffer.data(), want);
        } catch (const std::system_error&) {
            got = 0;
        }
        if (got == 0) {
            // The file shrank (or failed) under us after it was hashed. The server still
            // expects <size> bytes; zeros keep the stream in step, and the checksum it then
            // refuses keeps them from being stored.
            changed = true;
            std::fill_n(buffer.begin(), want, '\0');
            got = want;
        }
        checkInterrupt();
        sendBytes(std::string_view(buffer.data(), got));
        sent += got;
        shown.advance(sent);
        if (transport_.hasPending()) {
            // Only a notice may come before our bytes are all sent (a 600 abandons the upload
            // at once, protocol.md §5); anything else means the stream is out of step.
            receiveMore(std::chrono::milliseconds(0));
            while (std::optional<ResponseEvent> event = reader_.next()) {
                if (event->kind == Kind::Notice) {
                    handleNotice(*event);
                    continue;
                }
                closed_ = true;
                throw SessionEnded("The server answered before the upload was complete: " +
                                   std::to_string(event->code) + " " + printable(event->text));
            }
        }
    }

    const Reply done = readReply();
    shown.finish(isSuccess(done.code));
    if (changed) {
        CommandResult result = refusal("Upload of " + printable(command.localPath) +
                                       " failed: the file changed while it was being sent");
        return result;
    }
    if (!isSuccess(done.code)) {
        return refused(command, done);
    }
    remember(command, done);
    CommandResult result;
    result.lines = describeSuccess(command, done);
    return result;
}

CommandResult ClientSession::runDownload(const Command& command, ProgressListener* progress) {
    const std::string existsAdvice = " already exists; DWN " + command.title + " " +
                                     command.fileName +
                                     " --force replaces it (or start the client with --overwrite)";
    if (!command.force) {
        try {
            if (outputExists(settings_.outDir, command.fileName)) {
                return refusal(printable(command.fileName) + existsAdvice);
            }
        } catch (const std::system_error& error) {
            return refusal("Cannot download: " + printable(error.what()));
        }
    }

    sendLine(command.wireLine);
    ResponseEvent status = nextEvent();
    if (status.code != protocol::toInt(Code::FileFollows)) {
        Reply reply{status.code, std::move(status.text), std::move(status.fields), {}};
        while (reader_.inBody()) {
            nextEvent();
        }
        return refused(command, reply);
    }

    // 211 <size> <sha256> <file> (protocol.md §4); the reader has checked the size already.
    const std::uint64_t size = protocol::parseSize(status.fields.at(0)).value_or(0);
    const std::optional<std::string> sha256 =
        status.fields.size() > 1 ? protocol::parseSha256(status.fields[1]) : std::nullopt;
    const std::string name = status.fields.size() > 2 ? status.fields[2] : command.fileName;

    // Whatever the server names the file, it is used only as one component inside the output
    // directory; a name that could point elsewhere is refused, the bytes skipped.
    std::string problem;
    if (!sha256) {
        problem = "the server sent no valid sha256 to check the file against";
    } else if (const std::optional<std::string> unsafe = checkOutputName(name)) {
        problem = "the server sent an unsafe file name (" + *unsafe + ")";
    }
    std::optional<DownloadFile> file;
    if (problem.empty()) {
        try {
            file.emplace(settings_.outDir, name, command.force);
        } catch (const std::exception& error) {
            problem = error.what();
        }
    }

    ProgressScope shown(progress, name, size);
    std::uint64_t received = 0;
    for (;;) {
        ResponseEvent event = nextEvent();
        if (event.kind == Kind::BinaryEnd) {
            break;
        }
        received += event.text.size();
        shown.advance(received);
        checkInterrupt();
        if (file) {
            try {
                file->write(event.text);
            } catch (const std::system_error& error) {
                // The rest of the body must still be read to keep in step with the server.
                problem = error.what();
                file.reset();
            }
        }
    }
    shown.finish(file.has_value());

    if (!file) {
        return refusal("Download of " + printable(command.fileName) +
                       " failed: " + printable(problem) + "; nothing was saved");
    }
    const std::string path = file->finalPath();
    try {
        file->commit(*sha256);
    } catch (const std::system_error& error) {
        if (error.code() == std::errc::file_exists) {
            return refusal(printable(name) + existsAdvice);
        }
        return refusal("Download of " + printable(name) + " failed: " + printable(error.what()) +
                       "; nothing was saved");
    } catch (const std::exception& error) {
        return refusal("Download of " + printable(name) + " failed: " + printable(error.what()) +
                       "; nothing was saved");
    }
    CommandResult result;
    result.lines = {"File " + printable(name) + " saved as " + printable(path) + " (" +
                    formatBytes(size) + ", sha256 verified)"};
    files_[command.title].insert(name);
    return result;
}

void ClientSession::remember(const Command& command, const Reply& reply) {
    switch (command.spec->verb) {
        case Verb::Lst:
            titles_ = std::set<std::string>(reply.body.begin(), reply.body.end());
            break;
        case Verb::Crt:
            titles_.insert(command.title);
            break;
        case Verb::Rmv:
            titles_.erase(command.title);
            files_.erase(command.title);
            break;
        case Verb::Rdt: {
            titles_.insert(command.title);
            std::set<std::string>& files = files_[command.title];
            files.clear();
            for (const std::string& entry : reply.body) {
                if (std::optional<std::string> file = uploadedFile(entry)) {
                    files.insert(std::move(*file));
                }
            }
            break;
        }
        case Verb::Upd:
            files_[command.title].insert(command.fileName);
            break;
        case Verb::Rmf:
            if (command.args.size() > 1) {
                files_[command.title].erase(command.args[1]);
            }
            break;
        default:
            break;
    }
}

std::vector<std::string> ClientSession::knownTitles() const {
    return {titles_.begin(), titles_.end()};
}

std::vector<std::string> ClientSession::knownFiles(const std::string& title) const {
    const auto found = files_.find(title);
    if (found == files_.end()) {
        return {};
    }
    return {found->second.begin(), found->second.end()};
}

}  // namespace dfp::client
