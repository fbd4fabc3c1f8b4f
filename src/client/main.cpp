#include <iostream>

int main() {
    std::cerr << "dfp-client: not implemented yet\n";
    return 1;
}
