#pragma once
// What the daemon serves to browsers and operators (docs/configuration.md,
// docs/admin-ui.md): the Socket.IO client bundle (SERVE_CLIENT, CLIENT_DIR),
// the demo chat page (DEMO, DEMO_DIR) and the admin UI's namespace (ADMIN_UI_*).

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "admin/admin_ui.hpp"

namespace app {

struct WebFlags {
  bool serve_client = true;
  std::string client_dir;     // "": found beside the binary (build tree or package)
  std::string demo = "auto";  // auto: on unless NODE_ENV=production
  std::string demo_dir;
  bool admin_ui = false;
  std::string admin_mode;  // "": production when NODE_ENV=production, else development
  admin::AdminOptions admin;

  // After finish_web_flags: what to serve ("" for a directory: not served).
  bool demo_on = false;
};

void add_web_flags(CLI::App& cli, WebFlags& flags);
// Resolves the directories and checks the admin settings; throws
// CLI::ValidationError naming the setting. Notes what it turned off in `warnings`.
void finish_web_flags(WebFlags& flags, std::vector<std::string>& warnings);

}  // namespace app
