#pragma once

// Helpers for the dfp-admin unit tests: a data directory per test populated through the
// ForumStore (as the server would), dfp-admin run in process on it with captured output,
// scripted password input, and the --json output parsed back with Poco::JSON.

#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

#include "admin/admin_app.h"
#include "admin/secret_input.h"
#include "storage/admin_store.h"
#include "storage/forum_store.h"
#include "support/storage_fixture.h"

namespace dfp::test {

// Passwords as a test scripts them: from a "terminal" or a "pipe", with the prompts kept.
class ScriptedSecrets final : public admin::SecretInput {
public:
    bool terminal = false;
    std::deque<std::string> lines;  // nullopt once these run out (end of input)
    std::vector<std::string> prompts;

    bool fromTerminal() const override { return terminal; }
    std::optional<std::string> read(std::string_view prompt) override {
        prompts.emplace_back(prompt);
        if (lines.empty()) {
            return std::nullopt;
        }
        std::string line = lines.front();
        lines.pop_front();
        return line;
    }
};

struct AdminRun {
    int status = -1;
    std::string out;
    std::string err;
};

inline std::ostream& operator<<(std::ostream& out, const AdminRun& run) {
    return out << "status " << run.status << "\nstdout:\n" << run.out << "stderr:\n" << run.err;
}

inline Poco::JSON::Object::Ptr parseJson(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

inline void writeFile(const std::filesystem::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
}

class AdminFixture : public StoreFixture {
public:
    ScriptedSecrets secrets;
    std::map<std::string, std::string> environment;

    // dfp-admin with exactly these arguments.
    AdminRun runRaw(const std::vector<std::string>& args) {
        std::ostringstream out;
        std::ostringstream err;
        admin::AdminIo io{out, err, secrets,
                          [this](const std::string& name) -> std::optional<std::string> {
                              const auto found = environment.find(name);
                              if (found == environment.end()) {
                                  return std::nullopt;
                              }
                              return found->second;
                          }};
        AdminRun run;
        run.status = admin::runAdmin(args, io);
        run.out = out.str();
        run.err = err.str();
        return run;
    }

    // dfp-admin --data-dir=<this test's data dir> args...
    AdminRun run(std::vector<std::string> args) {
        args.insert(args.begin(), "--data-dir=" + dataDir().string());
        return runRaw(args);
    }

    // The forum as the server would leave it: Yoda created "jedi" with two messages (the
    // second edited) and an upload; Luke created "sith" with one message.
    void populate() {
        auto store = open();
        BOOST_REQUIRE(store->createUser("Yoda", "old password"));
        BOOST_REQUIRE(store->createUser("Luke", "pw"));
        BOOST_REQUIRE(store->createThread("jedi", "Yoda"));
        BOOST_REQUIRE(store->postMessage("jedi", "Yoda", "do or do not"));
        BOOST_REQUIRE(store->postMessage("jedi", "Luke", "there is \"no\" try\\"));
        BOOST_REQUIRE(store->editMessage("jedi", 2, "Luke", "there is\tno try"));
        BOOST_REQUIRE(uploadFile(*store, "jedi", "notes.txt", "Yoda", "use the force"));
        BOOST_REQUIRE(store->createThread("sith", "Luke"));
        BOOST_REQUIRE(store->postMessage("sith", "Luke", "unlimited power"));
    }

    std::unique_ptr<storage::AdminStore> openAdmin(bool readOnly = true) {
        storage::AdminStoreOptions options;
        options.dataDir = dataDir();
        options.readOnly = readOnly;
        options.passwordCost = storage::PasswordCost::Minimum;
        return storage::openAdminStore(options);
    }

    // The blob that holds exactly these bytes.
    std::filesystem::path blobWith(std::string_view bytes) const {
        for (const auto& entry : std::filesystem::directory_iterator(filesDir())) {
            if (readWholeFile(entry.path()) == bytes) {
                return entry.path();
            }
        }
        BOOST_FAIL("no blob holds " << bytes);
        return {};
    }
};

}  // namespace dfp::test
