#pragma once

// DFP/1 reply codes, named by meaning (docs/protocol.md §2-§5). Several names share a number
// where the protocol uses one code for different situations; the name says which one we mean.

namespace dfp::protocol {

enum class Code : int {
    Ready = 200,             // greeting
    Ok = 200,                // PING, DLT, EDT, RMF, RMV
    Entries = 210,           // RDT, followed by a line body
    FileFollows = 211,       // DWN, followed by a binary body
    Listing = 215,           // LST, CAPA, HELP, followed by a line body
    Goodbye = 221,           // XIT
    LoggedIn = 230,          // PASS for an existing account
    AccountCreated = 231,    // PASS for a new account
    ShuttingDown = 250,      // SHT accepted
    Created = 201,           // CRT, MSG, UPD after the bytes
    PasswordRequired = 331,  // USER, existing account
    ChoosePassword = 332,    // USER, new account
    SendBytes = 340,         // UPD accepted, send the bytes
    BadRequest = 400,        // syntax, unknown verb, invalid argument, checksum mismatch
    NotLoggedIn = 401,       // a logged-in command before login; also wrong password
    WrongPassword = 401,
    Forbidden = 403,  // not the author / creator / uploader; wrong admin password
    NotFound = 404,
    Conflict = 409,  // already exists; already logged in
    TooLarge = 413,  // message text or file over its limit
    LineTooLong = 414,
    TooManyFailures = 429,
    InternalError = 500,
    ServerBusy = 503,
    StorageFull = 507,
    NoticeShutdown = 600,
    NoticeIdle = 601,
};

constexpr int toInt(Code code) {
    return static_cast<int>(code);
}

}  // namespace dfp::protocol
