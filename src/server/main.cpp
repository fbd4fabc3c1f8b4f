// dfp-server: wiring only; see server_app.cpp.

#include <sodium.h>

#include <iostream>

#include "server/server_app.h"

int main(int argc, char** argv) {
    if (sodium_init() < 0) {
        std::cerr << "dfp-server: cannot initialise libsodium\n";
        return 1;
    }
    dfp::server::ServerApp app;
    return app.run(argc, argv);
}
