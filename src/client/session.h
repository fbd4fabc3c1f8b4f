#pragma once

// One DFP/1 session as the client sees it (docs/protocol.md §2-§5): sends requests, reads
// their responses through protocol::ResponseReader, drives UPD and DWN transfers, and keeps
// the thread titles and file names it has seen for completion. No terminal and no printing:
// results come back as values and words (presenter.h) for the app to show.
//
// Ends of the connection are exceptions, because nothing after them can go on: SessionEnded
// when the server closed, went silent past the timeout, sent a 600/601 notice or something
// that is not DFP/1; Interrupted when the user pressed Ctrl-C during a wait. A download in
// progress is removed on the way out. Not thread-safe: one per connection.

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "client/command.h"
#include "client/presenter.h"
#include "client/progress.h"
#include "client/transport.h"
#include "protocol/response_reader.h"

namespace dfp::client {

class SessionEnded : public std::runtime_error {
public:
    SessionEnded(const std::string& what, int noticeCode = 0)
        : std::runtime_error(what), noticeCode_(noticeCode) {}
    int noticeCode() const { return noticeCode_; }  // 600/601 if a notice ended it, else 0

private:
    int noticeCode_;
};

class Interrupted : public std::runtime_error {
public:
    Interrupted() : std::runtime_error("interrupted") {}
};

struct CommandResult {
    enum class Status { Ok, Refused };
    Status status = Status::Ok;
    std::vector<std::string> lines;  // Ok: what to print
    std::string refusal;             // Refused: why, in words
    bool sessionOver = false;        // the server closes after this (XIT, SHT, 429)
    bool ok() const { return status == Status::Ok; }
};

struct SessionSettings {
    std::chrono::milliseconds timeout{60'000};  // the longest silence while an answer is due
    std::string outDir = ".";
    // Asked between the chunks of a transfer, whose reads and writes may never have to wait
    // (and so never see the interrupt descriptor): true ends the transfer with Interrupted.
    std::function<bool()> interrupted;
    // The connection is TLS. A plain connection that hears no greeting at all says that the
    // server may want --tls (protocol.md §9: a TLS server waits for the client to speak).
    bool tls = false;
};

class ClientSession {
public:
    ClientSession(Transport& transport, SessionSettings settings);

    // Reads the greeting. Throws SessionEnded unless it is a 200 (a 503: busy or shutting
    // down); when nothing at all arrives on a plain connection, the words suggest --tls.
    Reply greet();

    // The two login steps; the reply to each, for the caller to judge (331/332, 230/231).
    Reply sendUser(const std::string& name);
    Reply sendPass(const std::string& password);

    // Runs one command (not Empty, Help or Invalid). progress, if given, hears of transfers.
    CommandResult run(const Command& command, ProgressListener* progress = nullptr);

    // Sends XIT and waits for its 221 (or the close); for leaving on end of input.
    void leave();

    // Takes in what the server sent while no request was outstanding: notices. Throws
    // SessionEnded for a 600/601, a close or anything that is not a notice.
    void checkIdle();

    // Notices that do not end the session (6xx other than 600/601) go here.
    void onNotice(std::function<void(const std::string&)> listener) {
        noticeListener_ = std::move(listener);
    }

    // What completion offers: titles from the last LST plus those seen since, and the files
    // of each thread from its last RDT.
    std::vector<std::string> knownTitles() const;
    std::vector<std::string> knownFiles(const std::string& title) const;

private:
    protocol::ResponseEvent nextEvent();  // waits; notices handled
    std::optional<protocol::ResponseEvent> takeNotices(protocol::ResponseEvent event);
    Reply readReply();  // status and line body; binary skipped
    void sendLine(const std::string& line);
    void sendBytes(std::string_view bytes);
    void handleNotice(const protocol::ResponseEvent& event);
    CommandResult runRequest(const Command& command);
    CommandResult runUpload(const Command& command, ProgressListener* progress);
    CommandResult runDownload(const Command& command, ProgressListener* progress);
    CommandResult refused(const Command& command, const Reply& reply);
    void remember(const Command& command, const Reply& reply);
    void skipBinaryBody();
    bool receiveMore(std::chrono::milliseconds timeout);  // false: nothing within timeout
    void checkInterrupt() const;

    Transport& transport_;
    SessionSettings settings_;
    protocol::ResponseReader reader_;
    bool closed_ = false;       // the server closed; what is buffered is all there is
    bool receivedAny_ = false;  // any byte at all has arrived
    std::function<void(const std::string&)> noticeListener_;
    std::set<std::string> titles_;
    std::map<std::string, std::set<std::string>> files_;
};

}  // namespace dfp::client
