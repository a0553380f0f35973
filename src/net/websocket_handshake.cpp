#include "net/websocket_handshake.hpp"

// SHA1_Init & co. are deprecated in OpenSSL 3 but shipped: see sha1() below.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>

namespace net::ws {

namespace {
constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

HandshakeAnswer refuse(int status, std::string_view reason, std::string_view extra = {}) {
  std::string text = "HTTP/1.1 " + std::to_string(status) + (status == 426 ? " Upgrade Required" : " Bad Request") +
                     "\r\nContent-Type: text/plain\r\nConnection: close\r\n";
  text.append(extra);
  text += "Content-Length: " + std::to_string(reason.size()) + "\r\n\r\n";
  text.append(reason);
  return {false, std::move(text)};
}

// A Sec-WebSocket-Key is 16 bytes in base64: 22 characters and "==".
bool valid_key(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  // ASCII by hand: std::isalnum is a call per character and asks the locale.
  auto base64_char = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
  };
  for (char c : key.substr(0, 22))
    if (!base64_char(c)) return false;
  return true;
}

// SHA-1 with the low-level functions, on a context on the stack. OpenSSL 3's
// one-shot SHA1() fetches the algorithm from its provider on every call (a
// lookup under a lock), and even with the digest fetched once, an EVP
// context's init and final cost 4,000 instructions and an allocation per
// handshake, a tenth of a WebSocket connect's user CPU, against 1,000 here
// (the same assembly compresses the blocks).
void sha1(std::string_view a, std::string_view b, unsigned char* digest) {
  SHA_CTX ctx;
  SHA1_Init(&ctx);
  SHA1_Update(&ctx, a.data(), a.size());
  SHA1_Update(&ctx, b.data(), b.size());
  SHA1_Final(digest, &ctx);
}

// The accept key's 28 base64 characters (and a NUL) in `out`.
constexpr std::size_t kAcceptKeySize = 4 * ((SHA_DIGEST_LENGTH + 2) / 3);
std::string_view write_accept_key(std::string_view key, unsigned char (&out)[kAcceptKeySize + 1]) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  sha1(key, kGuid, digest);
  int n = EVP_EncodeBlock(out, digest, SHA_DIGEST_LENGTH);
  return {reinterpret_cast<const char*>(out), static_cast<std::size_t>(n)};
}
}  // namespace

std::string accept_key(std::string_view key) {
  unsigned char out[kAcceptKeySize + 1];
  return std::string(write_accept_key(key, out));
}

HandshakeAnswer answer_handshake(const UpgradeRequest& request, const HeaderList& extra_headers) {
  if (!request.is_upgrade) return refuse(400, "Not a WebSocket upgrade request");
  if (request.version != "13") return refuse(426, "Unsupported WebSocket version", "Sec-WebSocket-Version: 13\r\n");
  if (!valid_key(request.key)) return refuse(400, "Missing or invalid Sec-WebSocket-Key");
  std::string_view status =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ";
  std::size_t size = status.size() + kAcceptKeySize + 4;
  for (const auto& [name, value] : extra_headers) size += name.size() + value.size() + 4;
  std::string text;
  // One allocation: the answer becomes the connection's first output, and
  // the server's first message (Engine.IO's open packet, about 110 bytes
  // framed) is appended to it before anything is written.
  constexpr std::size_t kFirstMessageRoom = 160;
  text.reserve(size + kFirstMessageRoom);
  text += status;
  unsigned char accept[kAcceptKeySize + 1];
  text += write_accept_key(request.key, accept);
  text += "\r\n";
  for (const auto& [name, value] : extra_headers) text.append(name).append(": ").append(value).append("\r\n");
  text += "\r\n";
  return {true, std::move(text)};
}

}  // namespace net::ws
