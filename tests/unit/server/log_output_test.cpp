// LogFile (log_output.h): logging never throws into the code that logs. When the file cannot
// be reopened (its directory is gone), the line goes to stderr instead, and a later reopen
// that can succeed brings the file back.

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <Poco/Message.h>

#include "server/log_output.h"
#include "server/server_options.h"
#include "support/temp_dir.h"

using dfp::server::ConfigError;
using dfp::server::LogFile;

namespace {

std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Sends this process's stderr (descriptor 2) to a file for the life of the object.
class CapturedStderr {
public:
    explicit CapturedStderr(const std::filesystem::path& path)
        : path_(path), saved_(::dup(STDERR_FILENO)) {
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        BOOST_TEST_REQUIRE(fd >= 0);
        ::dup2(fd, STDERR_FILENO);
        ::close(fd);
    }
    ~CapturedStderr() { restore(); }
    std::string text() {
        restore();
        return readFile(path_);
    }

private:
    void restore() {
        if (saved_ >= 0) {
            ::dup2(saved_, STDERR_FILENO);
            ::close(saved_);
            saved_ = -1;
        }
    }
    std::filesystem::path path_;
    int saved_;
};

Poco::Message line(const std::string& text) {
    return Poco::Message("dfp.test", text, Poco::Message::PRIO_INFORMATION);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(log_output)

BOOST_AUTO_TEST_CASE(falls_back_to_stderr_when_the_file_cannot_be_reopened) {
    dfp::test::TempDir temp;
    const auto dir = temp.path() / "logs";
    std::filesystem::create_directories(dir);
    Poco::AutoPtr<LogFile> file(new LogFile(dir / "dfp.log", "never", 3));
    file->log(line("event=first"));
    BOOST_TEST(readFile(dir / "dfp.log").find("event=first") != std::string::npos);

    std::filesystem::remove_all(dir);
    CapturedStderr stderrText(temp.path() / "stderr");
    BOOST_CHECK_NO_THROW(file->reopen());
    BOOST_CHECK_NO_THROW(file->log(line("event=while-gone")));
    const std::string said = stderrText.text();
    BOOST_TEST(said.find("event=log-reopen-failed") != std::string::npos, said);
    BOOST_TEST(said.find("event=while-gone") != std::string::npos, said);

    std::filesystem::create_directories(dir);
    file->reopen();
    file->log(line("event=back"));
    BOOST_TEST(readFile(dir / "dfp.log").find("event=back") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_a_rotation_it_cannot_read) {
    dfp::test::TempDir temp;
    BOOST_CHECK_THROW(Poco::AutoPtr<LogFile>(new LogFile(temp.path() / "dfp.log", "sometimes", 3)),
                      ConfigError);
}

BOOST_AUTO_TEST_SUITE_END()
