// /etc/ld.so.cache's format (a sandbox's view can hold its own copy), read for the closure.
#include "fuzz_input.h"
#include "host/ld_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto cache = vx::read_ld_cache(vx::fuzz::as_file(data, size));
  (void)cache;
  return 0;
}
