#include "api/web_assets.hpp"

#include <memory>

#include "net/static_files.hpp"

namespace api {

const std::vector<std::string>& client_bundle_files() {
  static const std::vector<std::string> files{
      "socket.io.js",         "socket.io.js.map",         "socket.io.min.js",         "socket.io.min.js.map",
      "socket.io.esm.min.js", "socket.io.esm.min.js.map", "socket.io.msgpack.min.js", "socket.io.msgpack.min.js.map"};
  return files;
}

namespace {

net::HttpHandler handler_for(std::shared_ptr<const net::StaticFiles> files) {
  return
      [files](std::shared_ptr<net::HttpExchange> exchange) { exchange->respond(files->respond(exchange->request())); };
}

}  // namespace

void serve_client_bundle(net::HttpServer& http, const std::string& engine_path, const std::string& dir) {
  auto files = std::make_shared<net::StaticFiles>();
  files->add_dir(dir, client_bundle_files(), engine_path);
  // Only GETs without a body come here: a small body cap.
  http.route(engine_path + "socket.io.", 1024, handler_for(files));
}

net::HttpHandler serve_demo(net::HttpServer& http, const std::string& dir) {
  auto assets = std::make_shared<net::StaticFiles>();
  assets->add_dir(dir, {"app.js", "style.css"}, "/demo/");
  http.route("/demo/", 1024, handler_for(assets));
  auto index = std::make_shared<net::StaticFiles>();
  index->add_file("/", dir + "/index.html");
  return handler_for(index);
}

}  // namespace api
