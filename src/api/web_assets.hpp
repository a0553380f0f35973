#pragma once
// Files the server hands to browsers: the Socket.IO client bundle, as Node's
// serveClient serves it (<path>socket.io.js and its siblings, from the
// socket.io-client package of npm), and the demo chat page.

#include <string>
#include <vector>

#include "net/http_server.hpp"

namespace api {

// The files of socket.io-client's dist/ that Node's serveClient serves.
const std::vector<std::string>& client_bundle_files();

// Serves client_bundle_files() from `dir` at `engine_path` + name
// ("/socket.io/socket.io.min.js"). Route it before the Engine.IO endpoint,
// which takes the rest of its path. Throws std::runtime_error naming a file
// it cannot read.
void serve_client_bundle(net::HttpServer& http, const std::string& engine_path, const std::string& dir);

// The demo chat page of `dir` (index.html, app.js, style.css): its other
// files are routed at /demo/; the returned handler answers GET / with
// index.html (for ApiOptions::home, since the API owns every other path).
// Throws std::runtime_error naming a file it cannot read.
net::HttpHandler serve_demo(net::HttpServer& http, const std::string& dir);

}  // namespace api
