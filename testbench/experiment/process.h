// Child processes of the experiment layer: `panama sweep` runs each point as `panama run` in a process of
// its own, and the report writer renders plots with gnuplot. Both go through here: posix_spawn (no shell,
// so no quoting of paths), stdout and stderr into a log file, stdin from /dev/null.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace panama {

// Full path of executable `name` found on $PATH, or "" if there is none.
std::string find_on_path(const std::string& name);
// Starts argv[0] (a path) with stdout and stderr written to `log` and stdin from /dev/null, in `cwd` if
// given. Throws std::runtime_error if it cannot be started.
pid_t spawn_logged(const std::vector<std::string>& argv, const std::string& log, const std::string& cwd = "");
// Waits for `pid` (retrying on EINTR) and returns its wait status.
int wait_for(pid_t pid);
// "exit status N" or "killed by signal S" for a wait status.
std::string exit_text(int status);
// The last non-empty line of a text file ("" if it has none): the error a failed child printed last.
std::string last_line(const std::string& path);

}  // namespace panama
