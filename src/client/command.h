#pragma once

// What a typed line means to the client: a request to send as it is, a transfer the client
// drives (UPD, DWN), something answered locally (HELP), or a mistake to explain without
// bothering the server. Pure: no I/O. The verbs and their usage come from the one command
// table (protocol/commands.h); UPD and DWN read differently here because the client computes
// UPD's size and sha256 itself, and DWN takes a --force flag.

#include <string>
#include <string_view>
#include <vector>

#include "protocol/commands.h"

namespace dfp::client {

struct Command {
    enum class Kind {
        Empty,     // nothing typed
        Help,      // answered locally from the command table
        Request,   // send wireLine, present the answer
        Upload,    // UPD: localPath is sent as fileName to title
        Download,  // DWN: fileName from title, saved under the output directory
        Invalid,   // problem says why; nothing is sent
    };
    Kind kind = Kind::Empty;
    const protocol::CommandSpec* spec = nullptr;  // Request, Upload, Download
    std::string wireLine;                         // Request, Download: the line to send
    std::vector<std::string> args;                // as typed, after the verb
    std::string title;                            // Upload, Download
    std::string fileName;                         // Upload, Download
    std::string localPath;                        // Upload
    bool force = false;                           // Download: replace an existing file
    bool askSecret = false;  // Request (SHT typed alone at a terminal): ask for the password
    std::string problem;     // Invalid
};

struct TranslateContext {
    bool interactive = false;  // a bare SHT asks for the admin password without echo
    bool overwrite = false;    // --overwrite: every DWN may replace an existing file
};

Command translateCommand(std::string_view line, const TranslateContext& context = {});

// The usage the client shows for a verb: the table's, except for UPD and DWN.
std::string clientUsage(const protocol::CommandSpec& spec);

// The HELP text: every command a logged-in user can type, with its usage and summary.
std::vector<std::string> helpLines();

}  // namespace dfp::client
