// `assent serve`: the composition root. It opens the RocksDB log over a data directory, hands it
// to the engine, puts the HTTP + WebSocket server in front, and serves until SIGINT or SIGTERM.
// Exits with kExitForRestart if storage fails for good, so a supervisor restarts it. A full
// disk is not such a failure: writes are refused (503) until RocksDB recovers, reads go on;
// on a disk too full to open for writing the server starts read-only.
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "api/admin_token.h"
#include "api/app/app_commands.h"
#include "api/app/http_retry_flags.h"
#include "api/app/limit_flags.h"
#include "api/app/listen.h"
#include "api/app/notify_flags.h"
#include "api/app/server_flags.h"
#include "api/json_lines_logger.h"
#include "api/server.h"
#include "base/io_threads.h"
#include "engine/directory.h"
#include "engine/engine.h"
#include "storage/rocks_event_log.h"

namespace assent::app {

using cli::Command;
using cli::ParsedArgs;

namespace {

// EX_TEMPFAIL: a temporary failure; running again (replaying the log) recovers.
constexpr int kExitForRestart = 75;

// Every file the server creates (RocksDB's, the admin token, whatever comes later) is for its
// owner, readable by its group at most: 0640 files, 0750 directories. Modes chosen explicitly
// (the admin token's 0600) are narrowed further, never widened.
constexpr mode_t kDataUmask = 027;

// Structured logs go to stderr; stdout keeps the few lines a person (or a script) reads.
api::JsonLinesLogger* server_logger = nullptr;

// The engine refuses every command once its log has failed a write. Exiting at once loses
// nothing: no outcome is acknowledged before it is synced, and a restart replays the log.
// std::_Exit, not exit: this runs on an io thread while the others still run, and static
// destructors running under them could crash instead of exiting cleanly.
void ExitForRestart(const Status& failure) {
  server_logger->Error("storage failed; exiting so a restart can recover",
                       {{"error", failure.ToString()}, {"exit_code", kExitForRestart}});
  std::_Exit(kExitForRestart);
}

int Serve(const ParsedArgs& args) {
  ::umask(kDataUmask);
  std::string data_dir = args.Get("data").value_or("./assent-data");
  Result<ListenAddress> listen = ParseListenAddress(args.Get("listen").value_or("127.0.0.1:8080"));
  if (!listen.ok()) {
    std::cerr << "assent serve: " << listen.status().message() << "\n";
    return 2;
  }
  std::string default_threads = std::to_string(api::ServerOptions{}.threads);
  int threads = std::atoi(args.Get("threads").value_or(default_threads).c_str());
  if (threads < 1 || threads > 64) {
    std::cerr << "assent serve: --threads must be 1 to 64\n";
    return 2;
  }
  std::optional<LogLevel> level = ParseLogLevel(args.Get("log-level").value_or("info"));
  if (!level) {
    std::cerr << "assent serve: --log-level must be debug, info, warn or error\n";
    return 2;
  }
  engine::EngineOptions options;
  if (Status limits = ApplyLimitFlags(args, options); !limits.ok()) {
    std::cerr << "assent serve: " << limits.message() << "\n";
    return 2;
  }
  if (Status notify = ApplyNotifyFlags(args, options); !notify.ok()) {
    std::cerr << "assent serve: " << notify.message() << "\n";
    return 2;
  }
  if (Status retries = ApplyHttpRetryFlags(args, options); !retries.ok()) {
    std::cerr << "assent serve: " << retries.message() << "\n";
    return 2;
  }
  api::JsonLinesLogger logger(STDERR_FILENO, *level);
  server_logger = &logger;

  api::ServerOptions server_options{.host = listen->host,
                                    .port = listen->port,
                                    .threads = threads,
                                    .logger = &logger};
  if (Status applied = ApplyServerFlags(args, server_options); !applied.ok()) {
    std::cerr << "assent serve: " << applied.message() << "\n";
    return 2;
  }

  Result<api::AdminToken> token = api::ResolveAdminToken(
      args.Get("admin-token").value_or(""), args.Get("admin-token-file").value_or(""), data_dir);
  if (!token.ok()) {
    std::cerr << "assent serve: admin token: " << token.status().ToString() << "\n";
    return 1;
  }
  if (token->source == "flag") {
    logger.Warn("--admin-token shows the token to anyone who can list processes; prefer "
                "--admin-token-file or ASSENT_ADMIN_TOKEN");
  }
  if (token->readable_by_others) {
    logger.Warn("the admin token file is readable by others than its owner",
                {{"path", token->path}});
  }
  storage::RocksEventLogOptions log_options;
  log_options.mode = storage::OpenMode::kReadWriteUnlessFull;
  Result<std::unique_ptr<storage::RocksEventLog>> log =
      storage::RocksEventLog::Open(data_dir, log_options);
  if (!log.ok()) {
    std::cerr << "assent serve: cannot open " << data_dir << ": " << log.status().message()
              << "\n";
    return 1;
  }
  if (const std::string& reason = (*log)->read_only_reason(); !reason.empty()) {
    logger.Error("data directory opened read-only", {{"error", reason}});
  }
  // One set of io threads for the server and the engine's shards: the thread that reads a
  // request usually runs its command too, instead of handing it to another thread and back.
  IoThreads io_threads(static_cast<size_t>(threads));
  options.on_storage_failure = ExitForRestart;
  options.logger = &logger;
  options.io_context = &io_threads.io();
  options.http_allow_link_local = args.Has("allow-link-local");
  Result<std::unique_ptr<engine::Engine>> opened = engine::Engine::Open(**log, options);
  if (!opened.ok()) {
    std::cerr << "assent serve: cannot open " << data_dir << ": " << opened.status().ToString()
              << "\n";
    return 1;
  }
  std::unique_ptr<engine::Engine> engine = std::move(opened).value();
  // Users and tokens live in the same log, in a stream of their own.
  Result<std::unique_ptr<engine::Directory>> directory = engine::Directory::Open(**log);
  if (!directory.ok()) {
    std::cerr << "assent serve: cannot open " << data_dir << ": "
              << directory.status().ToString() << "\n";
    engine->Shutdown();
    return 1;
  }

  // Signals are caught from here on, so one arriving during startup still shuts down cleanly.
  boost::asio::io_context signals_ioc;
  boost::asio::signal_set signals(signals_ioc, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int) {});

  server_options.io_context = &io_threads.io();
  api::Server server(*engine, **directory, token->token, server_options);
  Result<boost::asio::ip::tcp::endpoint> endpoint = server.Start();
  if (!endpoint.ok()) {
    std::cerr << "assent serve: " << endpoint.status().message() << "\n";
    engine->Shutdown();
    return 1;
  }
  std::string url = AnnounceListening(*endpoint);
  std::cout << "assent: API at " << url << "/v1 (WebSocket " << url << "/v1/stream), health at "
            << url << "/healthz" << std::endl;
  if (token->source == "generated") {
    // The token itself stays out of the output and the logs, which are often kept or shared.
    std::cout << "assent: admin token generated and saved in " << token->path
              << " (mode 0600); show it with: cat " << token->path << std::endl;
  }
  logger.Info("server started", {{"url", url},
                                 {"data_dir", data_dir},
                                 {"threads", threads},
                                 {"admin_token_from", token->source}});

  signals_ioc.run();  // returns once a signal arrived
  logger.Info("server stopping");
  server.Stop();  // stops accepting, shuts the engine down, writes its last answers
  // Connections still open (keep-alive, reviewers' streams) run on the io threads and may still
  // call the engine, which refuses them now: the threads stop before the engine goes. The log
  // goes after the engine, which writes to it until it is destroyed.
  io_threads.Join();
  directory->reset();  // waits for a change still being written
  engine.reset();
  log->reset();
  logger.Info("server stopped");
  return 0;
}

}  // namespace

Command ServeCommand() {
  std::vector<cli::FlagSpec> flags = {
      {"data", true, "data directory (default ./assent-data)", "DIR"},
      {"listen", true, "address to listen on (default 127.0.0.1:8080; port 0: any)", "HOST:PORT"},
      {"admin-token", true,
       "admin token; visible in ps, prefer --admin-token-file or $ASSENT_ADMIN_TOKEN", "TOKEN"},
      {"admin-token-file", true,
       "file holding the admin token (default $ASSENT_ADMIN_TOKEN, else DIR/admin-token, else "
       "one is generated there, mode 0600)",
       "PATH"},
      {"threads", true, "io threads (default 2)", "N"},
      {"allow-link-local", false,
       "let http steps connect to link-local addresses and cloud metadata services "
       "(169.254.0.0/16, fe80::/10, fd00:ec2::254, 100.100.100.200), refused by default"},
      {"log-level", true,
       "structured logs (JSON lines on stderr) at this level and above: debug, info, warn, "
       "error (default info)",
       "LEVEL"}};
  for (cli::FlagSpec& flag : ServerFlags()) flags.push_back(std::move(flag));
  for (cli::FlagSpec& flag : NotifyFlags()) flags.push_back(std::move(flag));
  for (cli::FlagSpec& flag : HttpRetryFlags()) flags.push_back(std::move(flag));
  for (cli::FlagSpec& limit : LimitFlags()) flags.push_back(std::move(limit));
  return {"serve",
          "Run the Assent server (REST API and reviewers' WebSocket) over a data directory.",
          "",
          0,
          0,
          std::move(flags),
          Serve};
}

}  // namespace assent::app
