#include "sandbox/exec.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/path.h"

namespace vx {

namespace {

#if defined(__x86_64__)
constexpr int kNativeMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr int kNativeMachine = EM_AARCH64;
#else
constexpr int kNativeMachine = -1;  // unknown here: every ELF is described by its number only
#endif

// What execve met: the first bytes of the file, read in this process after the failed call.
// The file lies in the sandbox and is sandbox-controlled: at most kHeadSize bytes are read, and
// the #! line is only ever shown through printable.
struct FileHead {
  bool exists = false;
  bool directory = false;
  bool executable_bits = false;
  std::string bytes;
};

constexpr size_t kHeadSize = 256;

FileHead read_head(const std::string& path) {
  FileHead h;
  // O_NONBLOCK: a FIFO named as the program must not hang the report.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    // EACCES on open (no read permission) still means the file is there; anything else
    // (ENOSYS under a custom SANDBOX_SECCOMP_ALLOW list) tells nothing.
    h.exists = errno == EACCES;
    return h;
  }
  h.exists = true;
  struct stat st = {};
  if (fstat(fd, &st) == 0) {
    h.directory = S_ISDIR(st.st_mode);
    h.executable_bits = (st.st_mode & 0111) != 0;
  }
  if (S_ISREG(st.st_mode)) {
    char buf[kHeadSize];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) h.bytes.assign(buf, static_cast<size_t>(n));
  }
  close(fd);
  return h;
}

// The `#!` line, quoted and escaped, or "" when the file is not a script.
std::string shebang_line(const FileHead& h) {
  if (!h.bytes.starts_with("#!")) return "";
  std::string line = h.bytes.substr(0, h.bytes.find('\n'));
  bool cut = line.size() == h.bytes.size() && line.size() == kHeadSize;
  return "\"" + printable(line) + (cut ? "..." : "") + "\"";
}

bool is_elf(const FileHead& h) { return h.bytes.starts_with(ELFMAG); }

// e_machine sits at the same offset in 32- and 64-bit headers; read it in the file's byte order.
int elf_machine(const FileHead& h) {
  if (h.bytes.size() < 20) return -1;
  auto b0 = static_cast<unsigned char>(h.bytes[18]), b1 = static_cast<unsigned char>(h.bytes[19]);
  return h.bytes[EI_DATA] == ELFDATA2MSB ? (b0 << 8 | b1) : (b1 << 8 | b0);
}

Error with_class(Error e, int code) {
  e.exit_code = code;
  return e;
}

// The cause of a failed execve of `path` with `err`, as env(1) classes it: 127 when a file the
// kernel needed is missing, 126 when one is there but cannot be executed.
Error explain_exec_failure(const std::string& name, const std::string& path, int err) {
  std::string what = "run " + printable(name);
  if (path != name) what += " (" + printable(path) + ")";
  FileHead h = read_head(path);
  std::string shebang = shebang_line(h);
  auto missing = [&](std::string why, std::string hint) {
    return with_class(Error::make(what, std::move(why), std::move(hint)), kExitNotFound);
  };
  auto unrunnable = [&](std::string why, std::string hint = {}) {
    return with_class(Error::make(what, std::move(why), std::move(hint)), kExitCannotExecute);
  };
  std::string interp = "its interpreter line " + shebang;
  if (err == ENOENT || err == ENOTDIR) {
    if (!shebang.empty())
      return missing(interp + " names a program that is not in the sandbox",
                     "fix the #! line, or make the interpreter visible with --ro-bind or --expose");
    if (is_elf(h))
      return missing("its program interpreter (the dynamic loader named in the ELF file) is not "
                     "in the sandbox",
                     "make the program visible with --expose, which brings its loader and "
                     "libraries");
  }
  if (err == ENOEXEC) {
    if (is_elf(h) && elf_machine(h) != kNativeMachine)
      return unrunnable("it is built for another architecture (ELF machine " +
                            std::to_string(elf_machine(h)) + ")",
                        "install a build for this machine");
    if (!shebang.empty()) return unrunnable(interp + " does not name an executable program");
    return unrunnable("not an executable format: neither an ELF program nor a #! script",
                      "run it with its interpreter, e.g. sh FILE or python3 FILE");
  }
  if (err == EACCES) {
    if (h.directory) return unrunnable("it is a directory");
    if (h.exists && !h.executable_bits)
      return unrunnable("permission denied: the file is not executable",
                        "chmod +x " + printable(path));
    if (!shebang.empty()) return unrunnable(interp + " names a file that cannot be executed");
  }
  Error e{what, err, {}, {}, err == ENOENT || err == ENOTDIR ? kExitNotFound : kExitCannotExecute};
  return e;
}

}  // namespace

ExecArgs prepare_exec(const SandboxPlan& plan) {
  ExecArgs a;
  for (const auto& s : plan.argv) a.argv.push_back(const_cast<char*>(s.c_str()));
  a.argv.push_back(nullptr);
  for (const auto& s : plan.env) a.envp.push_back(const_cast<char*>(s.c_str()));
  a.envp.push_back(nullptr);
  a.candidates = exec_paths(plan.exec_file, plan.path);
  return a;
}

std::vector<std::string> exec_paths(const std::string& file, const std::vector<std::string>& path) {
  if (file.find('/') != std::string::npos) return {file};
  std::vector<std::string> out;
  for (const auto& dir : path) out.push_back(dir + "/" + file);
  return out;
}

Error exec_candidates(const std::string& name, const std::vector<std::string>& candidates,
                      char* const argv[], char* const envp[]) {
  // As execvp(3): a file found but not executable wins over later "not found"s, and is what
  // gets reported if nothing else runs. ENOENT for a file that exists means the kernel missed
  // the #! interpreter or the ELF loader: that is reported too, not "not found".
  int first_err = 0;
  std::string first_path;
  for (const auto& path : candidates) {
    execve(path.c_str(), argv, envp);
    int err = errno;
    if ((err == ENOENT || err == ENOTDIR) && !read_head(path).exists) continue;
    if (first_err == 0) {
      first_err = err;
      first_path = path;
    }
    if (err != EACCES && err != ENOENT && err != ENOTDIR) break;
  }
  if (first_err != 0) return explain_exec_failure(name, first_path, first_err);
  bool bare = name.find('/') == std::string::npos;
  Error e = Error::make(
      "run " + printable(name),
      bare ? "command not found in the sandbox" : "no such file or directory in the sandbox",
      "check the name, or make it visible with --ro-bind or --expose");
  e.exit_code = kExitNotFound;
  return e;
}

Error exec_program(const SandboxPlan& plan, ExecArgs& args) {
  return exec_candidates(plan.exec_file, args.candidates, args.argv.data(), args.envp.data());
}

}  // namespace vx
