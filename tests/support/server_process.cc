#include "tests/support/server_process.h"

#include <poll.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace assent::testing {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(30);
constexpr std::string_view kListening = "listening on http://";

}  // namespace

std::string AssentBinary() { return ASSENT_BINARY; }

namespace {

// fork + exec of `binary` with stdout and stderr on a pipe; returns the read end.
pid_t Spawn(std::string binary, std::vector<std::string> args,
            const std::vector<std::string>& env, int* output_fd) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // A test that crashes must not leave its server running.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    for (const std::string& assignment : env) putenv(const_cast<char*>(assignment.c_str()));
    std::vector<char*> argv{binary.data()};
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  *output_fd = pipe_fds[0];
  return pid;
}

}  // namespace

CommandResult RunAssent(const std::vector<std::string>& args,
                        const std::vector<std::string>& env) {
  return RunProgram(AssentBinary(), args, env);
}

CommandResult RunProgram(const std::string& binary, const std::vector<std::string>& args,
                         const std::vector<std::string>& env) {
  int fd = -1;
  pid_t pid = Spawn(binary, args, env, &fd);
  CommandResult result;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd poll_fd{fd, POLLIN, 0};
    if (left.count() <= 0 || poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      close(fd);
      result.output += "\n[killed after 60 s]";
      return result;
    }
    char buffer[4096];
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n <= 0) break;
    result.output.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

ServerProcess::ServerProcess(std::vector<std::string> args, const std::vector<std::string>& env) {
  pid_ = Spawn(AssentBinary(), std::move(args), env, &stdout_fd_);

  // Read the child's output until the listening line (bounded), then keep draining it in the
  // background so a chatty server never blocks on a full pipe.
  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  std::string seen;
  while (port_ == 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd poll_fd{stdout_fd_, POLLIN, 0};
    if (left.count() <= 0 || poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) {
      Reap(SIGKILL);
      throw std::runtime_error("assent did not report a listening port within 30 s; output:\n" +
                               seen);
    }
    char buffer[4096];
    ssize_t n = read(stdout_fd_, buffer, sizeof(buffer));
    if (n <= 0) {
      Reap(SIGKILL);
      throw std::runtime_error("assent exited before listening; output:\n" + seen);
    }
    seen.append(buffer, static_cast<size_t>(n));
    size_t at = seen.find(kListening);
    size_t line_end = at == std::string::npos ? at : seen.find('\n', at);
    if (line_end != std::string::npos) {
      std::string address = seen.substr(at + kListening.size(), line_end - at - kListening.size());
      port_ = static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
    }
  }
  output_ = seen;
  reader_ = std::thread([this] {
    char buffer[4096];
    ssize_t n;
    while ((n = read(stdout_fd_, buffer, sizeof(buffer))) > 0) {
      std::lock_guard lock(output_mutex_);
      output_.append(buffer, static_cast<size_t>(n));
    }
  });
}

std::unique_ptr<ServerProcess> ServerProcess::Serve(const std::string& data_dir,
                                                   const std::string& token,
                                                   const std::vector<std::string>& extra_args) {
  std::vector<std::string> args{"serve", "--data", data_dir, "--listen", "127.0.0.1:0",
                                "--admin-token", token};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return std::make_unique<ServerProcess>(std::move(args));
}

ServerProcess::~ServerProcess() {
  Reap(SIGKILL);
  if (reader_.joinable()) reader_.join();
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

std::string ServerProcess::output() const {
  std::lock_guard lock(output_mutex_);
  return output_;
}

void ServerProcess::WaitForOutput(const std::string& text,
                                  std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (output().find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("the server did not print \"" + text + "\" within " +
                               std::to_string(timeout.count()) + " ms; output:\n" + output());
    }
    // The output arrives on a pipe read by another thread; a short nap between looks.
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::optional<int> ServerProcess::ExitStatus() {
  if (pid_ > 0) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      exit_status_ = status;
    }
  }
  return exit_status_;
}

void ServerProcess::Kill() { Reap(SIGKILL); }

int ServerProcess::Terminate() {
  int status = 0;
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  return status;
}

void ServerProcess::Reap(int signal) {
  if (pid_ <= 0) return;
  kill(pid_, signal);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace assent::testing
