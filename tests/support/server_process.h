// ServerProcess: the real `assent serve` binary started as a child process on 127.0.0.1 with a
// port the OS picks, for end-to-end and crash tests. The port is read from the server's
// "assent: listening on http://HOST:PORT" line; everything it prints is kept for failure
// messages.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace assent::testing {

// The `assent` binary under test (set by CMake).
std::string AssentBinary();

struct CommandResult {
  int exit_code = -1;  // -1: killed after the time limit
  std::string output;  // stdout and stderr together
};

// Runs `assent <args...>` to completion (killed after 60 s) with `env` added to the
// environment, e.g. {"ASSENT_URL=http://127.0.0.1:1234"}.
CommandResult RunAssent(const std::vector<std::string>& args,
                        const std::vector<std::string>& env = {});
// The same for any program (`binary`: its path), e.g. an example's Python script.
CommandResult RunProgram(const std::string& binary, const std::vector<std::string>& args,
                         const std::vector<std::string>& env = {});

class ServerProcess {
 public:
  // Starts `assent <args...>` and waits (bounded) for its listening line. Throws
  // std::runtime_error with the output so far if it exits or stays silent.
  // `env` is added to the environment, e.g. {"ASSENT_ADMIN_TOKEN=..."}.
  explicit ServerProcess(std::vector<std::string> args, const std::vector<std::string>& env = {});
  // Starts `assent serve --data DIR --listen 127.0.0.1:0 --admin-token TOKEN <extra_args...>`.
  static std::unique_ptr<ServerProcess> Serve(const std::string& data_dir,
                                              const std::string& token,
                                              const std::vector<std::string>& extra_args = {});
  ~ServerProcess();
  // Not movable: the output reader thread holds `this`.
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string output() const;
  // Waits (bounded) until the output holds `text`; throws std::runtime_error with the output
  // if it does not within `timeout`.
  void WaitForOutput(const std::string& text,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  // The waitpid status once the process has exited (it is reaped then); nullopt while it runs.
  // Lets a crash test tell a server that died on its own from one it killed.
  std::optional<int> ExitStatus();

  // SIGKILL: no chance to flush or say goodbye. Waits for the process to be gone.
  void Kill();
  // SIGTERM and wait; returns the exit status as waitpid reports it.
  int Terminate();

 private:
  void Reap(int signal);

  pid_t pid_ = -1;  // -1 once reaped
  std::optional<int> exit_status_;
  int stdout_fd_ = -1;
  uint16_t port_ = 0;
  std::thread reader_;
  mutable std::mutex output_mutex_;
  std::string output_;
};

}  // namespace assent::testing
