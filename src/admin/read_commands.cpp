// stats, users, threads, show, files: read-only views of the data directory, safe beside a
// running server (the store opens SQLite read-only and reads one snapshot per command).

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "admin/command_support.h"
#include "admin/text_format.h"

namespace dfp::admin {
namespace {

using Align = TextTable::Align;
using storage::StoreError;

Poco::Dynamic::Var optionalTime(const std::optional<storage::UnixTime>& time) {
    return time ? Poco::Dynamic::Var(static_cast<Poco::Int64>(*time)) : Poco::Dynamic::Var();
}

Poco::JSON::Object::Ptr fileJson(const storage::StoredFile& file) {
    auto object = jsonObject();
    object->set("thread", file.info.thread);
    object->set("name", file.info.name);
    object->set("uploader", file.info.uploader);
    object->set("size", static_cast<Poco::UInt64>(file.info.size));
    object->set("sha256", file.info.sha256);
    object->set("created", static_cast<Poco::Int64>(file.info.created));
    object->set("blob", file.blob);
    return object;
}

Poco::JSON::Object::Ptr threadJson(const storage::ThreadSummary& thread) {
    auto object = jsonObject();
    object->set("title", thread.title);
    object->set("creator", thread.creator);
    object->set("created", static_cast<Poco::Int64>(thread.created));
    object->set("messages", static_cast<Poco::UInt64>(thread.messages));
    object->set("files", static_cast<Poco::UInt64>(thread.files));
    object->set("fileBytes", static_cast<Poco::UInt64>(thread.fileBytes));
    object->set("lastActivity", static_cast<Poco::Int64>(thread.lastActivity));
    return object;
}

// "label  value" lines with the values aligned: a record, where a table has rows.
void printRecord(std::ostream& out,
                 const std::vector<std::pair<std::string, std::string>>& fields) {
    std::size_t width = 0;
    for (const auto& [label, value] : fields) {
        width = std::max(width, label.size());
    }
    for (const auto& [label, value] : fields) {
        out << label << std::string(width - label.size() + 2, ' ') << forTerminal(value) << "\n";
    }
}

std::string countOf(std::uint64_t count, std::string_view one, std::string_view many) {
    return std::to_string(count) + " " + std::string(count == 1 ? one : many);
}

}  // namespace

int runStats(const Invocation& invocation, AdminIo& io) {
    const storage::ForumStats stats = openStore(invocation, StoreAccess::Read)->stats();
    if (invocation.json) {
        auto document = jsonObject();
        document->set("users", static_cast<Poco::UInt64>(stats.users));
        document->set("threads", static_cast<Poco::UInt64>(stats.threads));
        document->set("messages", static_cast<Poco::UInt64>(stats.messages));
        document->set("files", static_cast<Poco::UInt64>(stats.files));
        document->set("fileBytes", static_cast<Poco::UInt64>(stats.fileBytes));
        document->set("databaseBytes", static_cast<Poco::UInt64>(stats.databaseBytes));
        document->set("walBytes", static_cast<Poco::UInt64>(stats.walBytes));
        document->set("schemaVersion", stats.schemaVersion);
        document->set("latestSchemaVersion", stats.latestSchemaVersion);
        document->set("lastActivity", optionalTime(stats.lastActivity));
        printJson(io.out, document);
        return kExitOk;
    }
    printRecord(
        io.out,
        {
            {"users", std::to_string(stats.users)},
            {"threads", std::to_string(stats.threads)},
            {"messages", std::to_string(stats.messages)},
            {"files", std::to_string(stats.files)},
            {"file bytes",
             std::to_string(stats.fileBytes) + " (" + formatBytes(stats.fileBytes) + ")"},
            {"database bytes",
             std::to_string(stats.databaseBytes) + " (" + formatBytes(stats.databaseBytes) + ")"},
            {"wal bytes", std::to_string(stats.walBytes)},
            {"schema version", std::to_string(stats.schemaVersion)},
            {"last activity", stats.lastActivity ? formatLocalTime(*stats.lastActivity) : "never"},
        });
    return kExitOk;
}

int runUsers(const Invocation& invocation, AdminIo& io) {
    const std::vector<storage::UserSummary> users =
        openStore(invocation, StoreAccess::Read)->listUsers();
    if (invocation.json) {
        auto list = jsonArray();
        for (const storage::UserSummary& user : users) {
            auto object = jsonObject();
            object->set("name", user.name);
            object->set("created", static_cast<Poco::Int64>(user.created));
            object->set("threads", static_cast<Poco::UInt64>(user.threads));
            object->set("messages", static_cast<Poco::UInt64>(user.messages));
            object->set("files", static_cast<Poco::UInt64>(user.files));
            list->add(object);
        }
        auto document = jsonObject();
        document->set("users", list);
        printJson(io.out, document);
        return kExitOk;
    }
    if (users.empty()) {
        io.out << "no users\n";
        return kExitOk;
    }
    TextTable table({{"NAME"},
                     {"CREATED"},
                     {"THREADS", Align::Right},
                     {"MESSAGES", Align::Right},
                     {"FILES", Align::Right}});
    for (const storage::UserSummary& user : users) {
        table.addRow({user.name, formatLocalTime(user.created), std::to_string(user.threads),
                      std::to_string(user.messages), std::to_string(user.files)});
    }
    table.print(io.out);
    return kExitOk;
}

int runThreads(const Invocation& invocation, AdminIo& io) {
    const std::vector<storage::ThreadSummary> threads =
        openStore(invocation, StoreAccess::Read)->listThreads();
    if (invocation.json) {
        auto list = jsonArray();
        for (const storage::ThreadSummary& thread : threads) {
            list->add(threadJson(thread));
        }
        auto document = jsonObject();
        document->set("threads", list);
        printJson(io.out, document);
        return kExitOk;
    }
    if (threads.empty()) {
        io.out << "no threads\n";
        return kExitOk;
    }
    TextTable table({{"TITLE"},
                     {"CREATOR"},
                     {"CREATED"},
                     {"MESSAGES", Align::Right},
                     {"FILES", Align::Right},
                     {"FILE BYTES", Align::Right},
                     {"LAST ACTIVITY"}});
    for (const storage::ThreadSummary& thread : threads) {
        table.addRow({thread.title, thread.creator, formatLocalTime(thread.created),
                      std::to_string(thread.messages), std::to_string(thread.files),
                      std::to_string(thread.fileBytes), formatLocalTime(thread.lastActivity)});
    }
    table.print(io.out);
    return kExitOk;
}

int runShow(const Invocation& invocation, AdminIo& io) {
    const std::string& title = invocation.args.at(0);
    const storage::StoreResult<storage::ThreadDetails> details =
        openStore(invocation, StoreAccess::Read)->showThread(title);
    if (!details) {
        return fail(io, "no thread titled " + title);
    }
    const storage::ThreadSummary& thread = details->summary;
    if (invocation.json) {
        auto entries = jsonArray();
        for (const storage::ThreadEntry& entry : details->entries) {
            auto object = jsonObject();
            if (entry.kind == storage::ThreadEntry::Kind::Message) {
                object->set("kind", "message");
                object->set("number", static_cast<Poco::Int64>(entry.number));
                object->set("author", entry.author);
                object->set("text", entry.text);
                object->set("created", static_cast<Poco::Int64>(entry.created));
                object->set("edited", entry.edited);
            } else {
                object->set("kind", "upload");
                object->set("author", entry.author);
                object->set("file", entry.text);
                object->set("created", static_cast<Poco::Int64>(entry.created));
            }
            entries->add(object);
        }
        auto document = jsonObject();
        document->set("thread", threadJson(thread));
        document->set("entries", entries);
        printJson(io.out, document);
        return kExitOk;
    }
    printRecord(io.out, {
                            {"thread", thread.title},
                            {"creator", thread.creator},
                            {"created", formatLocalTime(thread.created)},
                            {"messages", std::to_string(thread.messages)},
                            {"files", countOf(thread.files, "file", "files") + " (" +
                                          formatBytes(thread.fileBytes) + ")"},
                            {"last activity", formatLocalTime(thread.lastActivity)},
                        });
    if (details->entries.empty()) {
        io.out << "\nno messages or uploads\n";
        return kExitOk;
    }
    io.out << "\n";
    TextTable table({{"#", Align::Right}, {"POSTED"}, {"AUTHOR"}, {"TEXT"}});
    for (const storage::ThreadEntry& entry : details->entries) {
        if (entry.kind == storage::ThreadEntry::Kind::Message) {
            table.addRow({std::to_string(entry.number), formatLocalTime(entry.created),
                          entry.author, entry.text + (entry.edited ? " [edited]" : "")});
        } else {
            table.addRow(
                {"", formatLocalTime(entry.created), entry.author, "uploaded " + entry.text});
        }
    }
    table.print(io.out);
    return kExitOk;
}

int runFiles(const Invocation& invocation, AdminIo& io) {
    std::optional<std::string_view> title;
    if (!invocation.args.empty()) {
        title = invocation.args.front();
    }
    const storage::StoreResult<std::vector<storage::StoredFile>> files =
        openStore(invocation, StoreAccess::Read)->listFiles(title);
    if (!files) {
        return fail(io, "no thread titled " + std::string(*title));
    }
    if (invocation.json) {
        auto list = jsonArray();
        for (const storage::StoredFile& file : *files) {
            list->add(fileJson(file));
        }
        auto document = jsonObject();
        document->set("files", list);
        printJson(io.out, document);
        return kExitOk;
    }
    if (files->empty()) {
        io.out << (title ? "no files in thread " + forTerminal(*title) : std::string("no files"))
               << "\n";
        return kExitOk;
    }
    TextTable table(
        {{"THREAD"}, {"NAME"}, {"SIZE", Align::Right}, {"UPLOADER"}, {"UPLOADED"}, {"SHA256"}});
    for (const storage::StoredFile& file : *files) {
        table.addRow({file.info.thread, file.info.name, std::to_string(file.info.size),
                      file.info.uploader, formatLocalTime(file.info.created), file.info.sha256});
    }
    table.print(io.out);
    return kExitOk;
}

}  // namespace dfp::admin
