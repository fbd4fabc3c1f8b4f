#include "client/client_app.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>

#include "client/command.h"
#include "client/completion.h"
#include "client/console.h"
#include "client/interrupt_pipe.h"
#include "client/line_input.h"
#include "client/presenter.h"
#include "client/progress.h"
#include "client/scripted_input.h"
#include "client/session.h"
#include "client/socket_transport.h"
#include "client/terminal_input.h"
#include "client/tls_transport.h"
#include "protocol/codes.h"
#include "protocol/validators.h"

namespace dfp::client {
namespace {

using protocol::Code;

enum class LoginOutcome { LoggedIn, Refused, Left };

bool awaitsPassword(int code) {
    return code == protocol::toInt(Code::PasswordRequired) ||
           code == protocol::toInt(Code::ChoosePassword);
}

bool loggedIn(int code) {
    return code == protocol::toInt(Code::LoggedIn) || code == protocol::toInt(Code::AccountCreated);
}

std::string trimSpaces(const std::string& text) {
    const std::size_t first = text.find_first_not_of(" \t");
    if (first == std::string::npos) {
        return {};
    }
    const std::size_t last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

// The file's content without one trailing LF or CRLF, as for the server's admin password
// file (protocol.md §5).
std::optional<std::string> readPasswordFile(const std::string& path, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = std::strerror(errno);
        return std::nullopt;
    }
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (content.ends_with('\n')) {
        content.pop_back();
        if (content.ends_with('\r')) {
            content.pop_back();
        }
    }
    return content;
}

class App {
public:
    App(const ClientOptions& options, const Environment& environment, bool interactive,
        std::optional<std::string> password, const Console& console, ClientSession& session,
        LineInput& input)
        : options_(options),
          interactive_(interactive),
          password_(std::move(password)),
          console_(console),
          session_(session),
          input_(input),
          progressBar_(stderr),
          showProgress_(interactive && environment.stdoutIsTerminal &&
                        environment.stderrIsTerminal) {}

    int run() {
        try {
            session_.greet();
            switch (interactive_ ? logInAtTerminal() : logInFromScript()) {
                case LoginOutcome::Left:
                    session_.leave();
                    return kExitOk;
                case LoginOutcome::Refused:
                    return kExitRefused;
                case LoginOutcome::LoggedIn:
                    break;
            }
            return commandLoop();
        } catch (const SessionEnded& ended) {
            input_.putPromptAway();
            if (ended.noticeCode() != 0) {
                console_.notice(ended.what());
            } else {
                console_.refusal(ended.what());
            }
            return kExitConnection;
        } catch (const Interrupted&) {
            input_.putPromptAway();
            console_.refusal("Interrupted; disconnected from the server");
            return kExitInterrupted;
        }
    }

private:
    // The next line of input (a secret without echo). nullopt at the end of input, and in
    // interactive mode when Ctrl-C abandons a password prompt (then interrupted_ is set).
    std::optional<std::string> ask(const std::string& prompt, bool secret) {
        interrupted_ = false;
        for (;;) {
            InputEvent event = secret ? input_.readSecret(prompt) : input_.readLine(prompt);
            switch (event.kind) {
                case InputEvent::Kind::Line:
                    return std::move(event.text);
                case InputEvent::Kind::End:
                    return std::nullopt;
                case InputEvent::Kind::ServerActivity:
                    session_.checkIdle();
                    continue;
                case InputEvent::Kind::Interrupt:
                    if (!interactive_) {
                        throw Interrupted();
                    }
                    interrupted_ = true;
                    return std::nullopt;
            }
        }
    }

    std::optional<std::string> askPassword(const std::string& prompt) {
        for (;;) {
            std::optional<std::string> secret = ask(prompt, true);
            if (!secret) {
                return std::nullopt;
            }
            if (const protocol::Problem problem = protocol::checkPassword(*secret)) {
                console_.refusal("Not a usable password: " + *problem);
                continue;
            }
            return secret;
        }
    }

    // A new account: the password twice, so a typo does not lock its owner out.
    std::optional<std::string> askNewPassword(const std::string& name) {
        console_.result("There is no account " + printable(name) + " yet: choose a password " +
                        "to create it");
        for (;;) {
            std::optional<std::string> first = askPassword("New password: ");
            if (!first) {
                return std::nullopt;
            }
            std::optional<std::string> second = ask("Repeat the password: ", true);
            if (!second) {
                return std::nullopt;
            }
            if (*first == *second) {
                return first;
            }
            console_.refusal("The two passwords differ; try again");
        }
    }

    LoginOutcome logInAtTerminal() {
        std::optional<std::string> user = options_.user;
        std::optional<std::string> password = password_;
        for (;;) {
            std::string name;
            if (user) {
                name = *user;
            } else {
                std::optional<std::string> typed = ask("Username: ", false);
                if (!typed) {
                    return LoginOutcome::Left;
                }
                name = trimSpaces(*typed);
                if (name.empty()) {
                    continue;
                }
            }
            // Whatever goes wrong below, the next round asks again (protocol.md §3: a new
            // USER starts over).
            user.reset();

            const Reply named = session_.sendUser(name);
            if (!awaitsPassword(named.code)) {
                console_.refusal(describeLoginRefusal(LoginStep::User, name, named));
                if (named.code == protocol::toInt(Code::TooManyFailures)) {
                    return LoginOutcome::Refused;
                }
                continue;
            }
            std::optional<std::string> secret = std::exchange(password, std::nullopt);
            if (!secret) {
                secret = named.code == protocol::toInt(Code::PasswordRequired)
                             ? askPassword("Password: ")
                             : askNewPassword(name);
            }
            if (!secret) {
                if (interrupted_) {
                    continue;  // Ctrl-C: start over with the username
                }
                return LoginOutcome::Left;
            }
            const Reply answer = session_.sendPass(*secret);
            if (loggedIn(answer.code)) {
                return loggedInAs(answer, name);
            }
            console_.refusal(describeLoginRefusal(LoginStep::Pass, name, answer));
            if (answer.code == protocol::toInt(Code::TooManyFailures)) {
                return LoginOutcome::Refused;
            }
        }
    }

    LoginOutcome logInFromScript() {
        std::optional<std::string> name = options_.user;
        if (!name) {
            name = ask({}, false);
            if (!name) {
                console_.refusal("The input ended before the username");
                return LoginOutcome::Refused;
            }
        }
        const Reply named = session_.sendUser(*name);
        if (!awaitsPassword(named.code)) {
            console_.refusal(describeLoginRefusal(LoginStep::User, *name, named));
            return LoginOutcome::Refused;
        }
        std::optional<std::string> secret = password_;
        if (!secret) {
            secret = ask({}, true);
            if (!secret) {
                console_.refusal("The input ended before the password");
                return LoginOutcome::Refused;
            }
        }
        const Reply answer = session_.sendPass(*secret);
        if (!loggedIn(answer.code)) {
            console_.refusal(describeLoginRefusal(LoginStep::Pass, *name, answer));
            return LoginOutcome::Refused;
        }
        return loggedInAs(answer, *name);
    }

    LoginOutcome loggedInAs(const Reply& answer, const std::string& name) {
        console_.result(describeLoginSuccess(answer, name));
        // The name as first registered (protocol.md §3), which may differ in case.
        user_ = answer.fields.empty() ? name : answer.field(0);
        if (interactive_) {
            console_.result("Type HELP for the commands, Tab to complete, Ctrl-D to leave.");
        }
        return LoginOutcome::LoggedIn;
    }

    int commandLoop() {
        const std::string prompt = printable(user_) + "@" + printable(options_.host) + "> ";
        const TranslateContext context{interactive_, options_.overwrite};
        bool anyRefused = false;
        const auto status = [&] { return anyRefused ? kExitRefused : kExitOk; };
        for (;;) {
            InputEvent event = input_.readLine(prompt);
            switch (event.kind) {
                case InputEvent::Kind::ServerActivity:
                    session_.checkIdle();
                    continue;
                case InputEvent::Kind::Interrupt:
                    throw Interrupted();
                case InputEvent::Kind::End:
                    if (interactive_) {
                        console_.result("Goodbye");
                    }
                    session_.leave();
                    return status();
                case InputEvent::Kind::Line:
                    break;
            }

            Command command = translateCommand(event.text, context);
            if (command.kind == Command::Kind::Empty) {
                continue;
            }
            const bool isShutdown =
                command.spec != nullptr && command.spec->verb == protocol::Verb::Sht;
            if (!isShutdown) {
                input_.remember(event.text);  // never the admin password
            }
            if (command.kind == Command::Kind::Invalid) {
                console_.refusal(command.problem);
                anyRefused = true;
                continue;
            }
            if (command.kind == Command::Kind::Help) {
                console_.result(helpLines());
                continue;
            }
            if (command.askSecret) {
                std::optional<std::string> secret = ask("Admin password: ", true);
                if (!secret) {
                    continue;
                }
                command.wireLine = "SHT " + *secret;
            }

            const CommandResult result =
                session_.run(command, showProgress_ ? &progressBar_ : nullptr);
            if (result.ok()) {
                console_.result(result.lines);
            } else {
                console_.refusal(result.refusal);
                anyRefused = true;
            }
            if (result.sessionOver) {
                return status();
            }
        }
    }

    const ClientOptions& options_;
    bool interactive_;
    std::optional<std::string> password_;
    const Console& console_;
    ClientSession& session_;
    LineInput& input_;
    ProgressBar progressBar_;
    bool showProgress_;
    bool interrupted_ = false;
    std::string user_;
};

}  // namespace

int runClient(const ClientOptions& options, const Environment& environment) {
    InterruptPipe& interrupts = InterruptPipe::install();
    const bool interactive = environment.stdinIsTerminal;
    const Console console(options.color && !environment.noColor && interactive &&
                          environment.stdoutIsTerminal && environment.stderrIsTerminal);

    std::optional<std::string> password = environment.password;
    if (options.passwordFile) {
        std::string error;
        password = readPasswordFile(*options.passwordFile, error);
        if (!password) {
            console.refusal("Cannot read the password file " + *options.passwordFile + ": " +
                            error);
            return kExitConnection;
        }
    }

    std::unique_ptr<Transport> transport;
    try {
        if (options.tls) {
            transport = std::make_unique<TlsTransport>(options.host, options.port, options.timeout,
                                                       options.caFile, interrupts.fd());
        } else {
            transport = std::make_unique<SocketTransport>(options.host, options.port,
                                                          options.timeout, interrupts.fd());
        }
    } catch (const ConnectError& error) {
        console.refusal(error.what());
        return kExitConnection;
    }

    ClientSession session(
        *transport, SessionSettings{options.timeout, options.outDir,
                                    [&interrupts] { return interrupts.pending(); }, options.tls});
    std::unique_ptr<LineInput> input;
    if (interactive) {
        CompletionSource completion{
            [&session] { return session.knownTitles(); },
            [&session](const std::string& title) { return session.knownFiles(title); }};
        input = std::make_unique<TerminalInput>(transport->pollDescriptor(), interrupts.fd(),
                                                std::move(completion), environment.historyPath);
    } else {
        input = std::make_unique<ScriptedInput>(STDIN_FILENO, transport->pollDescriptor(),
                                                interrupts.fd());
    }
    session.onNotice([&](const std::string& words) {
        input->putPromptAway();
        console.notice(words);
    });

    App app(options, environment, interactive, std::move(password), console, session, *input);
    return app.run();
}

}  // namespace dfp::client
