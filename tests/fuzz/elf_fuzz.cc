// ELF headers of files in the venv (sandbox-writable), read for the library closure.
#include "fuzz_input.h"
#include "host/elf_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto info = vx::read_elf(vx::fuzz::as_file(data, size));
  (void)info;
  return 0;
}
