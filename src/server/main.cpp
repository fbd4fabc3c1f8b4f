#include <iostream>

int main() {
    std::cerr << "dfp-server: not implemented yet\n";
    return 1;
}
