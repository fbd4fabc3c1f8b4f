#include "storage/sha256.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace dfp::storage {

struct Sha256::Context {
    EVP_MD_CTX* md = nullptr;
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
    context_->md = EVP_MD_CTX_new();
    if (context_->md == nullptr || EVP_DigestInit_ex(context_->md, EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(context_->md);
        throw std::runtime_error("cannot initialise SHA-256");
    }
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(context_->md);
}

void Sha256::update(std::string_view bytes) {
    update(bytes.data(), bytes.size());
}

void Sha256::update(const void* data, std::size_t size) {
    if (EVP_DigestUpdate(context_->md, data, size) != 1) {
        throw std::runtime_error("SHA-256 update failed");
    }
}

std::string Sha256::finishHex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context_->md, digest, &length) != 1) {
        throw std::runtime_error("SHA-256 final failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 0x0f];
    }
    return hex;
}

}  // namespace dfp::storage
