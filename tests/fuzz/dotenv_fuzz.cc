// The project's .env: sandbox-writable text the host parses before each launch.
#include "fuzz_input.h"
#include "plan/dotenv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto entries = vx::parse_dotenv(vx::fuzz::text(data, size), ".env");
  if (entries)
    for (const auto& e : *entries)
      if (e.key.empty() || e.line == 0) __builtin_trap();
  return 0;
}
