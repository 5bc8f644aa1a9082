// `assent serve`: opens the engine over a data directory and serves the API until SIGINT or
// SIGTERM. Exits with kExitForRestart if storage fails, so a supervisor restarts it.
#include <csignal>
#include <cstdlib>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "api/admin_token.h"
#include "api/cli/command.h"
#include "api/cli/listen.h"
#include "api/server.h"
#include "engine/engine.h"

namespace assent::api::cli {

namespace {

// EX_TEMPFAIL: a temporary failure; running again (replaying the log) recovers.
constexpr int kExitForRestart = 75;

// The engine refuses every command once its log has failed a write. Exiting at once loses
// nothing: no outcome is acknowledged before it is synced, and a restart replays the log.
// std::_Exit, not exit: this runs on the engine thread while the io threads still run, and
// static destructors running under them could crash instead of exiting cleanly.
void ExitForRestart(const Status& failure) {
  std::cerr << "assent: storage failed: " << failure.ToString()
            << "; exiting so a restart can recover" << std::endl;
  std::_Exit(kExitForRestart);
}

int Serve(const ParsedArgs& args) {
  std::string data_dir = args.Get("data").value_or("./assent-data");
  Result<ListenAddress> listen = ParseListenAddress(args.Get("listen").value_or("127.0.0.1:8080"));
  if (!listen.ok()) {
    std::cerr << "assent serve: " << listen.status().message() << "\n";
    return 2;
  }
  std::string default_threads = std::to_string(ServerOptions{}.threads);
  int threads = std::atoi(args.Get("threads").value_or(default_threads).c_str());
  if (threads < 1 || threads > 64) {
    std::cerr << "assent serve: --threads must be 1 to 64\n";
    return 2;
  }
  Result<AdminToken> token = ResolveAdminToken(args.Get("admin-token").value_or(""), data_dir);
  if (!token.ok()) {
    std::cerr << "assent serve: admin token: " << token.status().ToString() << "\n";
    return 1;
  }
  engine::EngineOptions options;
  options.on_storage_failure = ExitForRestart;
  Result<std::unique_ptr<engine::Engine>> opened = engine::Engine::Open(data_dir, options);
  if (!opened.ok()) {
    std::cerr << "assent serve: cannot open " << data_dir << ": " << opened.status().ToString()
              << "\n";
    return 1;
  }
  std::unique_ptr<engine::Engine> engine = std::move(opened).value();

  // Signals are caught from here on, so one arriving during startup still shuts down cleanly.
  boost::asio::io_context signals_ioc;
  boost::asio::signal_set signals(signals_ioc, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int) {});

  Server server(*engine, token->token, {listen->host, listen->port, threads});
  Result<boost::asio::ip::tcp::endpoint> endpoint = server.Start();
  if (!endpoint.ok()) {
    std::cerr << "assent serve: " << endpoint.status().message() << "\n";
    engine->Shutdown();
    return 1;
  }
  std::string url = AnnounceListening(*endpoint);
  std::cout << "assent: API at " << url << "/v1 (WebSocket " << url << "/v1/stream), health at "
            << url << "/healthz" << std::endl;
  if (token->generated) {
    std::cout << "assent: admin token " << token->token << " (saved in " << token->path << ")"
              << std::endl;
  }

  signals_ioc.run();  // returns once a signal arrived
  std::cout << "assent: shutting down" << std::endl;
  server.Stop();  // stops accepting, shuts the engine down, writes its last answers
  // The engine goes before the server: a callback it might still hold keeps a session whose
  // socket needs the server's io_context.
  engine.reset();
  return 0;
}

}  // namespace

Command ServeCommand() {
  return {"serve",
          "Run the Assent server (REST API and reviewers' WebSocket) over a data directory.",
          "",
          0,
          0,
          {{"data", true, "data directory (default ./assent-data)", "DIR"},
           {"listen", true, "address to listen on (default 127.0.0.1:8080; port 0: any)",
            "HOST:PORT"},
           {"admin-token", true,
            "admin token (default $ASSENT_ADMIN_TOKEN, else DIR/admin-token, else generated)",
            "TOKEN"},
           {"threads", true, "io threads (default 2)", "N"}},
          Serve};
}

}  // namespace assent::api::cli
