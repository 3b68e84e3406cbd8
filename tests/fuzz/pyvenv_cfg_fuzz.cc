// VENV/pyvenv.cfg: writable by pip's sandbox, read by the host to find the interpreter.
#include "fuzz_input.h"
#include "host/venv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)vx::parse_pyvenv_cfg(vx::fuzz::text(data, size), "pyvenv.cfg");
  return 0;
}
