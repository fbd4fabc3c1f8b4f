#pragma once

// ForumModel: what the crash test knows the forum must hold, built only from acknowledged
// replies (a 2xx received), plus the requests that were in flight when the server was killed.
// After each restart reconcile() compares the model with what the server shows (LST, RDT, DWN)
// and settles every in-flight request one way or the other:
//
// - an acknowledged change must be there, intact: a message with its latest acknowledged text,
//   a file byte for byte; an acknowledged delete or removal must have stayed done;
// - an unacknowledged one may have happened or not, but never half: a MSG whose 201 never came
//   is absent or present with exactly its text; an EDT leaves the old text or the new one; an
//   upload is absent or complete with the right bytes;
// - nothing else may appear, and numbers never go back (protocol.md §4).
//
// Each worker only edits, deletes and removes what its own user posted, so the model can say
// exactly what every message must look like. Message texts carry a unique tag, so an
// unacknowledged post is recognised by its text alone.
//
// Thread-safety: every method may be called from any thread (one mutex around everything).

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dfp::crash {

using MessageNumber = std::int64_t;

// A file's content is generated from a seed, so the model keeps 16 bytes instead of the file.
struct FileContent {
    std::uint64_t seed = 0;
    std::uint64_t size = 0;
    std::string bytes() const;
    std::string sha256() const;  // lower-case hex
};

// One thread as RDT shows it.
struct ObservedMessage {
    MessageNumber number = 0;
    std::string author;
    std::string text;
};
struct ObservedThread {
    std::vector<ObservedMessage> messages;
    std::vector<std::pair<std::string, std::string>> uploads;  // uploader, file name
    std::vector<MessageNumber> order;                          // message numbers in RDT order
};
struct ObservedForum {
    std::vector<std::string> titles;  // LST
    std::map<std::string, ObservedThread> threads;
};

// What DWN returned: the <sha256> field and the bytes.
struct Download {
    std::string sha256Field;
    std::string bytes;
};

// A message or file a worker owns, to pick as the target of EDT, DLT or RMF.
struct OwnedMessage {
    std::string title;
    MessageNumber number = 0;
};
struct OwnedFile {
    std::string title;
    std::string name;
};

// Counts for the round summary.
struct Settled {
    int postsApplied = 0, postsAbsent = 0;
    int editsApplied = 0, editsAbsent = 0;
    int deletesApplied = 0, deletesAbsent = 0;
    int uploadsApplied = 0, uploadsAbsent = 0;
    int removalsApplied = 0, removalsAbsent = 0;
    int registrationsInFlight = 0;
    std::size_t messages = 0, files = 0;
};

class ForumModel {
public:
    // Ticket for a request in flight: what to settle when its reply comes.
    struct PostTicket {
        std::string title;
        std::string text;
        MessageNumber highestAtSend = 0;
    };

    // --- users
    void registrationSent(const std::string& user);
    void loggedIn(const std::string& user);  // 230 or 231
    bool userAcknowledged(const std::string& user) const;

    // --- threads
    std::vector<std::string> knownThreads() const;
    void sendCreateThread(const std::string& title);
    void threadCreated(const std::string& title);  // 201, or 409: it exists either way

    // --- requests; send*() before the request goes out, the matching *Done() on its 2xx.
    // *Done() returns a problem (a reply that breaks the contract), or nullopt.
    PostTicket sendPost(const std::string& title, const std::string& author,
                        const std::string& text);
    std::optional<std::string> postDone(const PostTicket& ticket, const std::string& author,
                                        MessageNumber number);
    void sendEdit(const OwnedMessage& message, const std::string& text);
    void editDone(const OwnedMessage& message, const std::string& text);
    void sendDelete(const OwnedMessage& message);
    void deleteDone(const OwnedMessage& message);
    void sendUpload(const std::string& title, const std::string& name, const std::string& uploader,
                    FileContent content);
    void uploadDone(const std::string& title, const std::string& name);
    void sendRemoveFile(const OwnedFile& file);
    void removeFileDone(const OwnedFile& file);

    // What a worker owns, to pick targets from at the start of a round.
    std::vector<OwnedMessage> messagesBy(const std::string& author) const;
    std::vector<OwnedFile> filesBy(const std::string& uploader) const;
    MessageNumber highestNumber(const std::string& title) const;

    // After a restart, with no client connected: compares the model with what the server
    // shows and settles every request that was in flight. download fetches one file (DWN),
    // or nullopt if the server says 404. Returns every problem found (empty: all is well);
    // settled gets the counts.
    std::vector<std::string> reconcile(
        const ObservedForum& observed,
        const std::function<std::optional<Download>(const std::string&, const std::string&)>&
            download,
        Settled& settled);

    // The sha256 of every file the model holds, for comparison with the blobs on disk.
    std::multiset<std::string> fileDigests() const;

private:
    struct Message {
        std::string author;
        std::string text;                         // the latest acknowledged text
        std::optional<std::string> editInFlight;  // an EDT whose 200 never came
        bool deleteInFlight = false;              // a DLT whose 200 never came
    };
    struct File {
        std::string uploader;
        FileContent content;
        bool removeInFlight = false;  // an RMF whose 200 never came
    };
    struct Thread {
        MessageNumber highestNumber = 0;  // greatest number acknowledged or seen
        std::map<MessageNumber, Message> messages;
        std::set<MessageNumber> deleted;
        std::vector<std::pair<std::string, PostTicket>> postsInFlight;  // author, ticket
        std::map<std::string, File> files;
        std::map<std::string, File> uploadsInFlight;
        std::set<std::string> removedFiles;
    };

    mutable std::mutex mu_;
    std::set<std::string> users_;                  // guarded by mu_
    std::set<std::string> registrationsInFlight_;  // guarded by mu_
    std::map<std::string, Thread> threads_;        // guarded by mu_
    std::set<std::string> threadsInFlight_;        // CRT sent, no reply; guarded by mu_
};

}  // namespace dfp::crash
