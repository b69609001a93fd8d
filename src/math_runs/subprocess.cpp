#include "subprocess_private.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <ctime>
#include <optional>
#include <system_error>
#include <utility>

extern char** environ;  // NOLINT: POSIX declares it nowhere else

namespace lemma::math::detail {
namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text(int error) {
  return std::system_category().message(error);
}

/// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const noexcept { return fd_; }
  bool is_open() const noexcept { return fd_ >= 0; }
  void reset() noexcept {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

// Both ends close-on-exec from the start: another thread spawning a process at the same moment
// must not inherit them (it would hold our output pipe open and delay its end of file).
bool make_pipe(Pipe& pipe, std::string& failure) {
  int fds[2] = {-1, -1};
#if defined(__linux__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__)
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    failure = "cannot create a pipe: " + errno_text(errno);
    return false;
  }
#else
  if (::pipe(fds) != 0) {
    failure = "cannot create a pipe: " + errno_text(errno);
    return false;
  }
  ::fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  ::fcntl(fds[1], F_SETFD, FD_CLOEXEC);
#endif
  pipe.read = Fd(fds[0]);
  pipe.write = Fd(fds[1]);
  return true;
}

void set_nonblocking(const Fd& fd) {
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK);
}

// write() that cannot raise SIGPIPE in this process: SIGPIPE is blocked in this thread for the
// call, and a SIGPIPE the write itself raised is consumed before the mask is restored (unless one
// was already pending, which is not ours to take). EPIPE is reported as usual.
ssize_t write_without_sigpipe(int fd, const char* data, std::size_t size) {
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigset_t old_set;
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  sigset_t pending;
  sigemptyset(&pending);
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  const ssize_t written = ::write(fd, data, size);
  const int saved = errno;
  if (written < 0 && saved == EPIPE && !was_pending) {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  errno = saved;
  return written;
}

/// The started child: killed (with its process group) and reaped on every path out.
class Child {
 public:
  explicit Child(pid_t pid) : pid_(pid) {}
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ > 0) kill_and_reap();
  }

  // True once the leader has exited; it stays a zombie (WNOWAIT), so its pid, which is also
  // the process group's id, cannot be reused while we may still signal the group.
  bool has_exited() {
    siginfo_t info{};
    info.si_pid = 0;
    const int rc = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
    if (rc != 0 && errno == ECHILD) {
      // Reaped behind our back (the application ignores SIGCHLD): its pid may already belong
      // to another process, so it is never signalled again.
      pid_ = -1;
      return true;
    }
    return rc == 0 && info.si_pid != 0;
  }

  // SIGKILL to the whole group: `lake exe repl` runs the REPL as lake's child.
  void kill_group() const {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
  }

  // Waits for the leader; its wait status, or std::nullopt when it was reaped elsewhere.
  std::optional<int> reap() {
    if (pid_ <= 0) return std::nullopt;
    int status = 0;
    pid_t rc = -1;
    do {
      rc = ::waitpid(pid_, &status, 0);
    } while (rc < 0 && errno == EINTR);
    pid_ = -1;
    if (rc < 0) return std::nullopt;
    return status;
  }

  std::optional<int> kill_and_reap() {
    kill_group();
    return reap();
  }

 private:
  pid_t pid_;
};

class SpawnFileActions {
 public:
  SpawnFileActions() { ok_ = posix_spawn_file_actions_init(&actions_) == 0; }
  ~SpawnFileActions() {
    if (ok_) posix_spawn_file_actions_destroy(&actions_);
  }
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;
  bool ok() const { return ok_; }
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_{};
  bool ok_ = false;
};

class SpawnAttributes {
 public:
  SpawnAttributes() { ok_ = posix_spawnattr_init(&attributes_) == 0; }
  ~SpawnAttributes() {
    if (ok_) posix_spawnattr_destroy(&attributes_);
  }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  bool ok() const { return ok_; }
  posix_spawnattr_t* get() { return &attributes_; }

 private:
  posix_spawnattr_t attributes_{};
  bool ok_ = false;
};

// Starts the child with its standard streams on the pipes' child ends, in a new process group,
// with an empty signal mask (the caller may block signals, as lemma's CLI does) and default
// dispositions for the signals a caller commonly ignores or handles.
std::optional<pid_t> spawn(const SubprocessSpec& spec, const Pipe& input, const Pipe& output,
                           const Pipe& error, std::string& failure) {
  SpawnFileActions actions;
  SpawnAttributes attributes;
  if (!actions.ok() || !attributes.ok()) {
    failure = "cannot prepare to start a process";
    return std::nullopt;
  }
  int rc = posix_spawn_file_actions_adddup2(actions.get(), input.read.get(), STDIN_FILENO);
  if (rc == 0)
    rc = posix_spawn_file_actions_adddup2(actions.get(), output.write.get(), STDOUT_FILENO);
  if (rc == 0)
    rc = posix_spawn_file_actions_adddup2(actions.get(), error.write.get(), STDERR_FILENO);
  if (rc == 0 && !spec.working_directory.empty())
    rc = posix_spawn_file_actions_addchdir_np(actions.get(), spec.working_directory.c_str());
  sigset_t empty;
  sigemptyset(&empty);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int signal : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&defaults, signal);
  if (rc == 0) rc = posix_spawnattr_setpgroup(attributes.get(), 0);
  if (rc == 0) rc = posix_spawnattr_setsigmask(attributes.get(), &empty);
  if (rc == 0) rc = posix_spawnattr_setsigdefault(attributes.get(), &defaults);
  if (rc == 0)
    rc = posix_spawnattr_setflags(
        attributes.get(),
        static_cast<short>(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
  if (rc != 0) {
    failure = "cannot prepare to start a process: " + errno_text(rc);
    return std::nullopt;
  }
  std::vector<std::string> args = spec.argv;
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  rc = posix_spawnp(&pid, argv[0], actions.get(), attributes.get(), argv.data(), environ);
  if (rc != 0) {
    failure = "cannot start '" + spec.argv[0] + "'";
    if (!spec.working_directory.empty()) failure += " in '" + spec.working_directory + "'";
    failure += ": " + errno_text(rc);
    return std::nullopt;
  }
  return pid;
}

// Reads what is there; false at end of file or on an error (the caller closes the pipe).
bool read_some(const Fd& fd, std::string& into) {
  std::array<char, 64 * 1024> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n > 0) {
      into.append(buffer.data(), static_cast<std::size_t>(n));
      return true;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

int poll_timeout_ms(Clock::duration left) {
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return static_cast<int>(std::clamp<long long>(ms, 0, INT_MAX));
}

}  // namespace

SubprocessOutcome run_subprocess(const SubprocessSpec& spec) {
  using End = SubprocessOutcome::End;
  const auto start = Clock::now();
  SubprocessOutcome out;
  const auto finish = [&](End end) -> SubprocessOutcome {
    out.end = end;
    out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    if (out.error_output.size() > spec.max_error_bytes)
      out.error_output.erase(0, out.error_output.size() - spec.max_error_bytes);
    return std::move(out);
  };
  if (spec.argv.empty() || spec.argv.front().empty()) {
    out.failure = "no program to run";
    return finish(End::failed);
  }
  const auto& cancellation = spec.cancellation;
  if (cancellation && cancellation->is_cancelled()) return finish(End::cancelled);

  Pipe input;
  Pipe output;
  Pipe error;
  Pipe wake;  // a byte arrives here when the run is cancelled, to end poll() at once
  if (!make_pipe(input, out.failure) || !make_pipe(output, out.failure) ||
      !make_pipe(error, out.failure) || !make_pipe(wake, out.failure))
    return finish(End::failed);
  set_nonblocking(input.write);
  set_nonblocking(output.read);
  set_nonblocking(error.read);
  set_nonblocking(wake.read);
  set_nonblocking(wake.write);
  // Declared after `wake`, so it is gone (and its callback finished) before the pipe closes.
  const CancellationToken::Subscription subscription(cancellation.get(), [fd = wake.write.get()] {
    const char byte = 1;
    if (::write(fd, &byte, 1) < 0) {
      // Full: a wake-up is pending already.
    }
  });

  const std::optional<pid_t> pid = spawn(spec, input, output, error, out.failure);
  if (!pid) return finish(End::failed);
  Child child(*pid);
  input.read.reset();
  output.write.reset();
  error.write.reset();

  const std::optional<Clock::time_point> deadline =
      spec.timeout.count() > 0 ? std::optional<Clock::time_point>(start + spec.timeout)
                               : std::nullopt;
  std::size_t written = 0;
  if (spec.input.empty()) input.write.reset();
  bool leader_exited = false;
  std::optional<End> forced;
  for (;;) {
    if (cancellation && cancellation->is_cancelled()) {
      forced = End::cancelled;
      break;
    }
    const auto now = Clock::now();
    if (deadline && now >= *deadline) {
      forced = End::timed_out;
      break;
    }
    if (!leader_exited && child.has_exited()) {
      leader_exited = true;
      // Whatever it left behind must not keep running, nor hold the pipes open; what it wrote
      // stays readable in the pipes.
      child.kill_group();
    }
    const bool pipes_open = output.read.is_open() || error.read.is_open();
    if (leader_exited && !pipes_open) break;

    // Short slices: the leader's exit has no descriptor to wait on portably.
    Clock::duration slice =
        pipes_open ? std::chrono::milliseconds(100) : std::chrono::milliseconds(2);
    if (deadline) slice = std::min<Clock::duration>(slice, *deadline - now);
    std::array<pollfd, 4> fds{};
    nfds_t count = 0;
    const auto watch = [&](const Fd& fd, short events) -> int {
      if (!fd.is_open()) return -1;
      fds[count] = pollfd{fd.get(), events, 0};
      return static_cast<int>(count++);
    };
    const int wake_at = watch(wake.read, POLLIN);
    const int output_at = watch(output.read, POLLIN);
    const int error_at = watch(error.read, POLLIN);
    const int input_at = watch(input.write, POLLOUT);
    const int ready = ::poll(fds.data(), count, poll_timeout_ms(slice));
    if (ready < 0) {
      if (errno == EINTR) continue;
      out.failure = "poll failed: " + errno_text(errno);
      forced = End::failed;
      break;
    }
    if (ready == 0) continue;
    const auto fired = [&](int at) {
      return at >= 0 && fds[static_cast<std::size_t>(at)].revents != 0;
    };
    if (fired(wake_at)) {
      char drain[16];
      while (::read(wake.read.get(), drain, sizeof drain) > 0) {
      }
    }
    if (fired(output_at)) {
      if (!read_some(output.read, out.output)) output.read.reset();
      if (out.output.size() > spec.max_output_bytes) {
        out.output.resize(spec.max_output_bytes);
        forced = End::output_overflow;
        break;
      }
    }
    if (fired(error_at)) {
      if (!read_some(error.read, out.error_output)) error.read.reset();
      // Keep the tail (a program's last words say why it failed), amortised.
      if (out.error_output.size() > 2 * spec.max_error_bytes)
        out.error_output.erase(0, out.error_output.size() - spec.max_error_bytes);
    }
    if (fired(input_at)) {
      const std::size_t left = spec.input.size() - written;
      const ssize_t n = write_without_sigpipe(input.write.get(), spec.input.data() + written,
                                              std::min<std::size_t>(left, 64 * 1024));
      if (n > 0) written += static_cast<std::size_t>(n);
      // Done, or the child stopped reading (EPIPE): its answer, if any, decides.
      if (written == spec.input.size() || (n < 0 && errno != EAGAIN && errno != EINTR))
        input.write.reset();
    }
  }

  if (forced) {
    child.kill_and_reap();
    return finish(*forced);
  }
  const std::optional<int> status = child.reap();
  if (status && WIFSIGNALED(*status)) {
    out.signal = WTERMSIG(*status);
    return finish(End::signaled);
  }
  out.exit_code = status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
  return finish(End::exited);
}

}  // namespace lemma::math::detail
