// The MountPlan text form (cached views, profiles): what parses prints back to the same plan.
#include "fuzz_input.h"
#include "plan/mount_plan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::map<std::string, std::string> vars = {{"VENV", "/p/.venv"}, {"HOME", "/home/u"}};
  auto plan = vx::parse_mount_plan(vx::fuzz::text(data, size), "view", vars);
  if (!plan) return 0;
  auto again = vx::parse_mount_plan(vx::format_mount_plan(*plan), "printed");
  if (!again || !(*again == *plan)) __builtin_trap();
  return 0;
}
