#include "harness/isolated.h"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

// libgcov's profile counters of this process: linked in an instrumented build (PANAMA_PGO=generate),
// absent (null) otherwise. Weak references rather than a macro, so that this file is the same code in
// the instrumented and the optimised build (a profile is refused for code that changed between them).
extern "C" void __gcov_dump(void) __attribute__((weak));
extern "C" void __gcov_reset(void) __attribute__((weak));

namespace panama {

nlohmann::json run_isolated(const std::function<nlohmann::json()>& fn) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe() failed");
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork() failed");
  if (pid == 0) {
    // A crash in the child must end the child. A test framework's handlers (Boost.Test catches SIGABRT,
    // SIGSEGV and others and carries on with the next test) would otherwise run the parent's remaining
    // tests inside the child, and the parent would wait on the pipe for ever; sanitizers abort this way
    // too (abort_on_error=1).
    for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) std::signal(sig, SIG_DFL);
    if (__gcov_reset) __gcov_reset();  // the parent's counts so far are the parent's to write
    close(fds[0]);
    std::string out;
    int code = 0;
    try {
      out = fn().dump();
    } catch (const std::exception& e) {
      out = nlohmann::json{{"isolated_error", e.what()}}.dump();
      code = 3;
    }
    size_t off = 0;
    while (off < out.size()) {
      ssize_t w = write(fds[1], out.data() + off, out.size() - off);
      if (w <= 0) break;
      off += size_t(w);
    }
    close(fds[1]);
    std::fflush(nullptr);
    if (__gcov_dump) __gcov_dump();  // _exit skips the handler that writes the profile: the child's counts
    _exit(code);
  }
  close(fds[1]);
  std::string in;
  char buf[65536];
  for (;;) {
    ssize_t r = read(fds[0], buf, sizeof buf);
    if (r <= 0) break;
    in.append(buf, size_t(r));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!in.empty()) {
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("isolated_error"))
      throw std::runtime_error(j["isolated_error"].get<std::string>());
    if (!j.is_discarded() && WIFEXITED(status) && WEXITSTATUS(status) == 0) return j;
  }
  if (WIFSIGNALED(status))
    throw std::runtime_error("simulation process died with signal " + std::to_string(WTERMSIG(status)) + " (" +
                             strsignal(WTERMSIG(status)) + ")");
  throw std::runtime_error("simulation process exited with status " + std::to_string(WEXITSTATUS(status)));
}

}  // namespace panama
