// Sandbox options from stored defaults, BWRAP_ARGS / VENV_EXEC_ARGS and the command line.
#include "fuzz_input.h"
#include "plan/cli.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> args = vx::fuzz::words(data, size);
  (void)vx::parse_sandbox_args(args, true, "fuzz");
  (void)vx::parse_sandbox_args(args, false, "fuzz");
  (void)vx::parse_install_args(args);
  (void)vx::parse_uninstall_args(args);
  (void)vx::split_args_variable(std::string(vx::fuzz::text(data, size)));
  return 0;
}
