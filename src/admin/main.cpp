#include <iostream>

int main() {
    std::cerr << "dfp-admin: not implemented yet\n";
    return 1;
}
