#include "app/web_flags.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "admin/bcrypt.hpp"

namespace app {

namespace fs = std::filesystem;

namespace {

bool production_env() {
  const char* env = std::getenv("NODE_ENV");
  return env && std::string(env) == "production";
}

// The first of `relative` (to the binary's directory) that holds `probe`:
// build/switchboard finds ../web/...; /usr/bin/switchboard ../share/switchboard/...
std::string beside_binary(const std::vector<std::string>& relative, const std::string& probe) {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  for (const auto& r : relative) {
    auto dir = (exe.parent_path() / r).lexically_normal();
    if (fs::is_regular_file(dir / probe, ec)) return dir.string();
  }
  return {};
}

}  // namespace

void add_web_flags(CLI::App& cli, WebFlags& f) {
  cli.add_option("--serve-client", f.serve_client,
                 "Serve the Socket.IO client bundle at <path>socket.io.js, .min.js, .esm.min.js and their maps "
                 "(Node's serveClient)")
      ->envname("SERVE_CLIENT")
      ->capture_default_str();
  cli.add_option("--client-dir", f.client_dir,
                 "socket.io-client's dist/ directory; default: web/node_modules/socket.io-client/dist beside the "
                 "build, or share/switchboard/client of the package")
      ->envname("CLIENT_DIR");
  cli.add_option("--demo", f.demo, "The demo chat page at /: true, false, or auto (on unless NODE_ENV=production)")
      ->envname("DEMO")
      ->check(CLI::IsMember({"auto", "true", "false"}))
      ->capture_default_str();
  cli.add_option("--demo-dir", f.demo_dir,
                 "The demo page's files; default: web/demo beside the build, or share/switchboard/demo of the package")
      ->envname("DEMO_DIR");
  cli.add_option("--admin-ui", f.admin_ui, "Serve the Socket.IO admin UI's protocol (@socket.io/admin-ui 0.5)")
      ->envname("ADMIN_UI")
      ->capture_default_str();
  cli.add_option("--admin-ui-namespace", f.admin.namespace_name, "The admin UI's namespace")
      ->envname("ADMIN_UI_NAMESPACE")
      ->capture_default_str();
  cli.add_option("--admin-ui-username", f.admin.username, "The admin UI's user (with ADMIN_UI_PASSWORD_HASH)")
      ->envname("ADMIN_UI_USERNAME");
  cli.add_option("--admin-ui-password-hash", f.admin.password_hash,
                 "bcrypt hash of the admin UI's password ($2a$/$2b$/$2y$); unset with the user: no authentication")
      ->envname("ADMIN_UI_PASSWORD_HASH");
  cli.add_option("--admin-ui-readonly", f.admin.readonly,
                 "The admin UI may look but not emit, join, leave or disconnect")
      ->envname("ADMIN_UI_READONLY")
      ->capture_default_str();
  cli.add_option("--admin-ui-mode", f.admin_mode,
                 "development (every socket, room and event) or production (stats only); default: production when "
                 "NODE_ENV=production")
      ->envname("ADMIN_UI_MODE")
      ->check(CLI::IsMember({"development", "production"}));
  cli.add_option("--admin-ui-server-id", f.admin.server_id, "How the admin UI names this node; default: hostname#pid")
      ->envname("ADMIN_UI_SERVER_ID");
}

void finish_web_flags(WebFlags& f, std::vector<std::string>& warnings) {
  if (f.serve_client) {
    if (f.client_dir.empty()) {
      f.client_dir = beside_binary({"../web/node_modules/socket.io-client/dist", "../share/switchboard/client"},
                                   "socket.io.min.js");
      if (f.client_dir.empty()) {
        f.serve_client = false;
        warnings.push_back(
            "the Socket.IO client bundle was not found (run scripts/bootstrap.sh, or set CLIENT_DIR): "
            "not served");
      }
    } else if (!fs::is_regular_file(fs::path(f.client_dir) / "socket.io.min.js")) {
      throw CLI::ValidationError("--client-dir (CLIENT_DIR)", "no socket.io.min.js in '" + f.client_dir + "'");
    }
  }
  f.demo_on = f.demo == "true" || (f.demo == "auto" && !production_env());
  if (f.demo_on) {
    if (f.demo_dir.empty()) {
      f.demo_dir = beside_binary({"../web/demo", "../share/switchboard/demo"}, "index.html");
      if (f.demo_dir.empty()) {
        f.demo_on = false;
        if (f.demo == "true")
          throw CLI::ValidationError("--demo (DEMO)", "the demo page's files were not found: set DEMO_DIR");
      }
    } else if (!fs::is_regular_file(fs::path(f.demo_dir) / "index.html")) {
      throw CLI::ValidationError("--demo-dir (DEMO_DIR)", "no index.html in '" + f.demo_dir + "'");
    }
  }
  if (f.demo_on && !f.serve_client) {
    f.demo_on = false;
    warnings.push_back("the demo page needs the client bundle (SERVE_CLIENT): not served");
  }
  f.admin.production = f.admin_mode.empty() ? production_env() : f.admin_mode == "production";
  if (!f.admin_ui) return;
  if (f.admin.namespace_name.empty() || f.admin.namespace_name[0] != '/')
    throw CLI::ValidationError("--admin-ui-namespace (ADMIN_UI_NAMESPACE)", "must start with '/'");
  if (f.admin.username.empty() != f.admin.password_hash.empty())
    throw CLI::ValidationError("--admin-ui-username (ADMIN_UI_USERNAME)",
                               "set ADMIN_UI_USERNAME and ADMIN_UI_PASSWORD_HASH together, or neither");
  if (!f.admin.password_hash.empty() && !admin::is_bcrypt_hash(f.admin.password_hash))
    throw CLI::ValidationError("--admin-ui-password-hash (ADMIN_UI_PASSWORD_HASH)",
                               "not a bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31, 60 characters)");
  if (f.admin.username.empty())
    warnings.push_back(
        "ADMIN_UI is on without ADMIN_UI_USERNAME / ADMIN_UI_PASSWORD_HASH: anyone may administer "
        "this server through " +
        f.admin.namespace_name);
}

}  // namespace app
