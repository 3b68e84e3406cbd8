#include "host/closure.h"

#include <elf.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "host/elf_reader.h"
#include "host/ld_cache.h"

namespace vx {
namespace {

bool has(const std::vector<std::string>& v, const std::string& needle) {
  return std::any_of(v.begin(), v.end(),
                     [&](const std::string& s) { return s.find(needle) != std::string::npos; });
}

std::string temp_dir() {
  std::string t = (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") + std::string("/vx-elf-XXXXXX");
  return mkdtemp(t.data());
}

// A minimal ELF64 shared object: one PT_LOAD, a PT_DYNAMIC with DT_NEEDED entries, DT_RUNPATH
// and a string table, written byte by byte.
std::string crafted_elf(const std::vector<std::string>& needed, const std::string& runpath,
                        int elf_class = ELFCLASS64) {
  std::string strtab(1, '\0');
  std::vector<uint64_t> needed_off;
  for (const auto& n : needed) {
    needed_off.push_back(strtab.size());
    strtab += n + '\0';
  }
  uint64_t runpath_off = strtab.size();
  strtab += runpath + '\0';
  const uint64_t ph_off = sizeof(Elf64_Ehdr), dyn_off = ph_off + 2 * sizeof(Elf64_Phdr);
  std::vector<Elf64_Dyn> dyn;
  for (auto o : needed_off) dyn.push_back({DT_NEEDED, {o}});
  if (!runpath.empty()) dyn.push_back({DT_RUNPATH, {runpath_off}});
  // Three more entries follow: DT_STRTAB, DT_STRSZ, DT_NULL.
  const uint64_t str_off = dyn_off + (dyn.size() + 3) * sizeof(Elf64_Dyn);
  dyn.push_back({DT_STRTAB, {str_off}});  // vaddr == file offset in our single PT_LOAD
  dyn.push_back({DT_STRSZ, {strtab.size()}});
  dyn.push_back({DT_NULL, {0}});
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = static_cast<unsigned char>(elf_class);
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_DYN;
  eh.e_machine = EM_X86_64;
  eh.e_phoff = ph_off;
  eh.e_ehsize = sizeof eh;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 2;
  uint64_t total = str_off + strtab.size();
  Elf64_Phdr load{PT_LOAD, PF_R, 0, 0, 0, total, total, 0x1000};
  Elf64_Phdr dynamic{PT_DYNAMIC,
                     PF_R,
                     dyn_off,
                     dyn_off,
                     dyn_off,
                     dyn.size() * sizeof(Elf64_Dyn),
                     dyn.size() * sizeof(Elf64_Dyn),
                     8};
  std::string out(reinterpret_cast<char*>(&eh), sizeof eh);
  out.append(reinterpret_cast<char*>(&load), sizeof load);
  out.append(reinterpret_cast<char*>(&dynamic), sizeof dynamic);
  out.append(reinterpret_cast<char*>(dyn.data()), dyn.size() * sizeof(Elf64_Dyn));
  return out + strtab;
}

void put(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

// Real files, committed (they seed the fuzz targets too): Debian 12's /bin/true and
// libdl.so.2, a script, and an ld.so.cache made by ldconfig for a root holding those libraries.
std::string fixture(const std::string& name) {
  const char* root = getenv("VENV_EXEC_SOURCE_ROOT");
  return std::string(root != nullptr ? root : ".") + "/tests/fuzz/corpus/" + name;
}

TEST(Elf, RealFiles) {
  auto exe = read_elf(fixture("elf_fuzz/true"));
  ASSERT_TRUE(exe.has_value()) << format_error(exe.error());
  EXPECT_TRUE(exe->is_elf);
  EXPECT_EQ(exe->elf_class, ELFCLASS64);
  EXPECT_EQ(exe->machine, EM_X86_64);
  EXPECT_EQ(exe->interp, "/lib64/ld-linux-x86-64.so.2");
  EXPECT_EQ(exe->needed, std::vector<std::string>{"libc.so.6"});
  auto lib = read_elf(fixture("elf_fuzz/libdl.so.2"));
  ASSERT_TRUE(lib.has_value()) << format_error(lib.error());
  EXPECT_TRUE(lib->is_elf);
  EXPECT_EQ(lib->interp, "");
  EXPECT_TRUE(has(lib->needed, "libc.so.6"));
  auto script = read_elf(fixture("elf_fuzz/script"));
  ASSERT_TRUE(script.has_value());
  EXPECT_FALSE(script->is_elf);
}

// Regression inputs found by tests/fuzz (kept in its corpus too).
TEST(Elf, FuzzFoundAnEmptyDynamicSection) {
  auto r = read_elf(fixture("elf_fuzz/crash-empty-dynamic"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().why, "empty dynamic section");
}

TEST(Elf, EveryTruncationAndRandomCorruptionIsAnErrorNotACrash) {
  std::ifstream f(fixture("elf_fuzz/true"), std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  std::string bytes = s.str();
  std::string dir = temp_dir();
  std::string path = dir + "/cut";
  int errors = 0;
  for (size_t len = SELFMAG + 12; len < std::min<size_t>(bytes.size(), 4096); len += 7) {
    put(path, bytes.substr(0, len));
    auto r = read_elf(path);
    if (!r) ++errors;
  }
  EXPECT_GT(errors, 0);
  std::mt19937 rng(42);
  for (int i = 0; i < 300; ++i) {
    std::string copy = bytes.substr(0, 8192);
    for (int k = 0; k < 8; ++k) copy[rng() % 256] = static_cast<char>(rng());
    put(path, copy);
    (void)read_elf(path);  // must return, whatever it says
  }
  put(path, bytes.substr(0, 30));
  auto truncated = read_elf(path);
  ASSERT_FALSE(truncated.has_value());
  EXPECT_EQ(truncated.error().why, "truncated ELF header");
  unlink(path.c_str());
  rmdir(dir.c_str());
}

TEST(LdCache, ReadsWhatLdconfigWrote) {
  auto cache = read_ld_cache(fixture("ld_cache_fuzz/small.cache"));
  ASSERT_TRUE(cache.has_value()) << format_error(cache.error());
  int32_t x86_64 = ld_cache_flags(ELFCLASS64, EM_X86_64);
  std::map<std::pair<std::string, int32_t>, std::string> want = {
      {{"libdl.so.2", x86_64}, "/opt/lib/libdl.so.2"},
      {{"libutil.so.1", x86_64}, "/opt/lib/libutil.so.1"}};
  EXPECT_EQ(cache->entries, want);
  std::string dir = temp_dir();
  put(dir + "/bad", "not a cache at all");
  EXPECT_FALSE(read_ld_cache(dir + "/bad").has_value());
  unlink((dir + "/bad").c_str());
  rmdir(dir.c_str());
}

TEST(Closure, FollowsTheCacheTransitivelyAndSkipsScripts) {
  std::string dir = temp_dir();
  mkdir((dir + "/bin").c_str(), 0755);
  mkdir((dir + "/lib").c_str(), 0755);
  put(dir + "/lib/libvxa.so.1", crafted_elf({"libvxb.so.2"}, ""));
  put(dir + "/lib/libvxb.so.2", crafted_elf({}, ""));
  put(dir + "/bin/tool", crafted_elf({"libvxa.so.1"}, ""));
  put(dir + "/bin/script", "#!/bin/sh\necho hi\n");
  LdCache cache;
  int32_t x86_64 = ld_cache_flags(ELFCLASS64, EM_X86_64);
  cache.entries[{"libvxa.so.1", x86_64}] = dir + "/lib/libvxa.so.1";
  cache.entries[{"libvxb.so.2", x86_64}] = dir + "/lib/libvxb.so.2";
  auto c = library_closure({dir + "/bin/tool", dir + "/bin/script"}, cache);
  ASSERT_TRUE(c.has_value()) << format_error(c.error());
  EXPECT_TRUE(has(c->files, dir + "/lib/libvxa.so.1"));
  EXPECT_TRUE(has(c->files, dir + "/lib/libvxb.so.2"));
  EXPECT_FALSE(has(c->files, "script"));  // a script root is skipped
  EXPECT_TRUE(c->missing.empty());
  for (const char* f : {"/lib/libvxa.so.1", "/lib/libvxb.so.2", "/bin/tool", "/bin/script"})
    unlink((dir + f).c_str());
  for (const char* d : {"/bin", "/lib", ""}) rmdir((dir + d).c_str());
}

TEST(Closure, OriginRunpathAndArchitectureMatch) {
  auto cache = read_ld_cache(fixture("ld_cache_fuzz/small.cache"));
  ASSERT_TRUE(cache.has_value());
  std::string dir = temp_dir();
  mkdir((dir + "/bin").c_str(), 0755);
  mkdir((dir + "/lib").c_str(), 0755);
  mkdir((dir + "/lib32").c_str(), 0755);
  put(dir + "/lib/libvxdep.so.1", crafted_elf({}, ""));
  put(dir + "/bin/root.so", crafted_elf({"libvxdep.so.1", "libvxmissing.so.9"}, "$ORIGIN/../lib"));
  auto c = library_closure({dir + "/bin/root.so"}, *cache);
  ASSERT_TRUE(c.has_value()) << format_error(c.error());
  EXPECT_TRUE(has(c->files, dir + "/bin/../lib/libvxdep.so.1"));
  ASSERT_EQ(c->missing.size(), 1u);
  EXPECT_EQ(c->missing[0], "libvxmissing.so.9 (needed by " + dir + "/bin/root.so)");
  // A 32-bit candidate in the RUNPATH is skipped, as ld.so skips the wrong class.
  put(dir + "/lib32/libvxdep.so.1", crafted_elf({}, "", ELFCLASS32));
  put(dir + "/bin/only32.so", crafted_elf({"libvxdep.so.1"}, "$ORIGIN/../lib32"));
  auto c32 = library_closure({dir + "/bin/only32.so"}, *cache);
  ASSERT_TRUE(c32.has_value());
  EXPECT_FALSE(has(c32->files, "lib32/libvxdep.so.1"));
  EXPECT_EQ(c32->missing.size(), 1u);
  for (const char* f :
       {"/lib/libvxdep.so.1", "/lib32/libvxdep.so.1", "/bin/root.so", "/bin/only32.so"})
    unlink((dir + f).c_str());
  for (const char* d : {"/bin", "/lib", "/lib32", ""}) rmdir((dir + d).c_str());
}

}  // namespace
}  // namespace vx
