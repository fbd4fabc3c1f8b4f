#include "client/terminal_input.h"

#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

// libedit, not GNU readline: both headers are installed (stack-notes.md).
#include <editline/readline.h>

#include "client/posix_fd.h"

namespace dfp::client {
namespace {

constexpr int kHistoryLimit = 1000;

TerminalInput* gActive = nullptr;  // libedit's callbacks are plain functions
std::vector<std::string> gCandidates;

void say(const char* text) {
    std::fflush(stdout);
    writeAll(STDOUT_FILENO, text, std::strlen(text));
}

// Echo off for a password, restored however the read ends.
class EchoOff {
public:
    EchoOff() {
        active_ = ::tcgetattr(STDIN_FILENO, &saved_) == 0;
        if (active_) {
            termios quiet = saved_;
            quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOE | ECHOK | ECHONL);
            quiet.c_lflag |= ICANON | ISIG;
            ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
        }
    }
    ~EchoOff() {
        if (active_) {
            ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
        }
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

private:
    termios saved_{};
    bool active_ = false;
};

}  // namespace

std::string defaultHistoryPath() {
    const char* home = std::getenv("HOME");
    if (home == nullptr || *home == '\0') {
        const passwd* entry = ::getpwuid(::getuid());
        home = entry != nullptr ? entry->pw_dir : nullptr;
    }
    if (home == nullptr || *home == '\0') {
        return {};
    }
    std::string path(home);
    if (!path.ends_with('/')) {
        path += '/';
    }
    return path + ".dfp_history";
}

TerminalInput::TerminalInput(int socketFd, int interruptFd, CompletionSource completion,
                             std::string historyPath)
    : socketFd_(socketFd),
      interruptFd_(interruptFd),
      completion_(std::move(completion)),
      historyPath_(std::move(historyPath)) {
    gActive = this;
    // Our own SIGINT handler (the interrupt pipe) decides what Ctrl-C does; libedit's would
    // re-raise the signal to the whole process group.
    rl_catch_signals = 0;
    rl_catch_sigwinch = 1;
    rl_readline_name = "dfp-client";
    rl_initialize();
    // Titles and file names may hold any character but a space (protocol.md §4).
    rl_basic_word_break_characters = " ";
    rl_completer_word_break_characters = const_cast<char*>(" ");
    rl_attempted_completion_function = attemptCompletion;
    using_history();
    stifle_history(kHistoryLimit);
    if (!historyPath_.empty()) {
        read_history(historyPath_.c_str());
    }
}

TerminalInput::~TerminalInput() {
    removeHandler();
    if (!historyPath_.empty()) {
        // Old entries may hold what people typed to the forum: the file is theirs alone.
        const mode_t previous = ::umask(077);
        write_history(historyPath_.c_str());
        ::umask(previous);
        ::chmod(historyPath_.c_str(), S_IRUSR | S_IWUSR);
    }
    gActive = nullptr;
}

void TerminalInput::onLine(char* line) {
    if (gActive == nullptr) {
        std::free(line);
        return;
    }
    gActive->lineDone_ = true;
    gActive->lineEof_ = line == nullptr;
    gActive->line_ = line != nullptr ? line : "";
    std::free(line);
}

void TerminalInput::removeHandler() {
    if (installed_) {
        rl_callback_handler_remove();
        installed_ = false;
    }
}

InputEvent TerminalInput::readLine(const std::string& prompt) {
    lineDone_ = false;
    if (!installed_) {
        rl_callback_handler_install(prompt.c_str(), onLine);
        installed_ = true;
    }
    for (;;) {
        pollfd fds[3] = {
            {socketFd_, POLLIN, 0}, {interruptFd_, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        if (::poll(fds, 3, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            throwErrno("poll");
        }
        if ((fds[1].revents & POLLIN) != 0) {
            // Ctrl-C at the prompt: drop what was typed and start a fresh line, as shells do.
            char drained[64];
            while (::read(interruptFd_, drained, sizeof drained) > 0) {
            }
            removeHandler();
            say("^C\n");
            rl_callback_handler_install(prompt.c_str(), onLine);
            installed_ = true;
            continue;
        }
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            return {InputEvent::Kind::ServerActivity, {}};
        }
        if ((fds[2].revents & POLLIN) != 0) {
            rl_callback_read_char();
        } else if ((fds[2].revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
            removeHandler();
            return {InputEvent::Kind::End, {}};
        }
        if (lineDone_) {
            // libedit has already handed the terminal back (it leaves its unbuffered mode
            // once a line is complete); the next prompt installs the handler again.
            removeHandler();
            if (lineEof_) {
                say("\n");
                return {InputEvent::Kind::End, {}};
            }
            return {InputEvent::Kind::Line, std::move(line_)};
        }
    }
}

InputEvent TerminalInput::readSecret(const std::string& prompt) {
    removeHandler();
    EchoOff quiet;
    say(prompt.c_str());
    std::string secret;
    for (;;) {
        pollfd fds[3] = {
            {socketFd_, POLLIN, 0}, {interruptFd_, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        if (::poll(fds, 3, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            throwErrno("poll");
        }
        if ((fds[1].revents & POLLIN) != 0) {
            char drained[64];
            while (::read(interruptFd_, drained, sizeof drained) > 0) {
            }
            say("^C\n");
            return {InputEvent::Kind::Interrupt, {}};
        }
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            say("\n");
            return {InputEvent::Kind::ServerActivity, {}};
        }
        if ((fds[2].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) == 0) {
            continue;
        }
        // Canonical mode: the terminal hands over whole lines, and Ctrl-D on an empty line
        // reads as 0 bytes.
        char chunk[256];
        const ssize_t count = ::read(STDIN_FILENO, chunk, sizeof chunk);
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count <= 0) {
            say("\n");
            return {InputEvent::Kind::End, {}};
        }
        secret.append(chunk, static_cast<std::size_t>(count));
        const std::size_t lf = secret.find('\n');
        if (lf != std::string::npos) {
            secret.resize(lf);
            say("\n");
            return {InputEvent::Kind::Line, std::move(secret)};
        }
    }
}

void TerminalInput::remember(const std::string& line) {
    add_history(line.c_str());
}

void TerminalInput::putPromptAway() {
    if (installed_) {
        removeHandler();
        say("\n");
    }
}

char** TerminalInput::attemptCompletion(const char* text, int /*start*/, int /*end*/) {
    rl_attempted_completion_over = 1;  // never fall back to libedit's own file names
    if (gActive == nullptr) {
        return nullptr;
    }
    // The line before the word, from libedit's narrow buffer and cursor (start and end are
    // counted in wide characters by libedit, which would misplace them after UTF-8 titles).
    const std::string_view line(rl_line_buffer,
                                ::strnlen(rl_line_buffer, static_cast<std::size_t>(rl_end)));
    const std::size_t cursor =
        std::min(static_cast<std::size_t>(std::max(rl_point, 0)), line.size());
    const std::size_t wordLength = std::min(std::strlen(text), cursor);
    const std::string_view before = line.substr(0, cursor - wordLength);

    const Completion completion = complete(before, text, gActive->completion_);
    if (completion.kind == Completion::Kind::LocalFiles) {
        return rl_completion_matches(text, rl_filename_completion_function);
    }
    if (completion.candidates.empty()) {
        return nullptr;
    }
    gCandidates = completion.candidates;
    return rl_completion_matches(text, nextCandidate);
}

char* TerminalInput::nextCandidate(const char* /*text*/, int state) {
    static std::size_t index = 0;
    if (state == 0) {
        index = 0;
    }
    if (index < gCandidates.size()) {
        return ::strdup(gCandidates[index++].c_str());
    }
    return nullptr;
}

}  // namespace dfp::client
