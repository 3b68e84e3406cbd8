#include "bpf_eval.h"

#include <linux/audit.h>

#include <cstddef>
#include <cstring>

namespace vx {

namespace {

constexpr uint32_t kScratch = BPF_MEMWORDS;

bool alu(uint16_t op, uint32_t& a, uint32_t operand) {
  switch (op) {
    case BPF_ADD:
      a += operand;
      return true;
    case BPF_SUB:
      a -= operand;
      return true;
    case BPF_MUL:
      a *= operand;
      return true;
    case BPF_DIV:
      if (operand == 0) return false;
      a /= operand;
      return true;
    case BPF_MOD:
      if (operand == 0) return false;
      a %= operand;
      return true;
    case BPF_AND:
      a &= operand;
      return true;
    case BPF_OR:
      a |= operand;
      return true;
    case BPF_XOR:
      a ^= operand;
      return true;
    case BPF_LSH:
      a = operand >= 32 ? 0 : a << operand;
      return true;
    case BPF_RSH:
      a = operand >= 32 ? 0 : a >> operand;
      return true;
    case BPF_NEG:
      a = -a;
      return true;
    default:
      return false;
  }
}

// The condition of a conditional jump; nullopt for an unknown one.
std::optional<bool> jump_taken(uint16_t op, uint32_t a, uint32_t operand) {
  switch (op) {
    case BPF_JEQ:
      return a == operand;
    case BPF_JGT:
      return a > operand;
    case BPF_JGE:
      return a >= operand;
    case BPF_JSET:
      return (a & operand) != 0;
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<uint32_t> run_seccomp_bpf(std::span<const sock_filter> prog,
                                        const seccomp_data& data) {
  uint32_t a = 0, x = 0, mem[kScratch] = {};
  // Seccomp's loads read native-endian 32-bit words of seccomp_data (seccomp_check_filter()).
  unsigned char bytes[sizeof data];
  std::memcpy(bytes, &data, sizeof data);
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const sock_filter& i = prog[pc];
    uint32_t operand = BPF_SRC(i.code) == BPF_X ? x : i.k;
    switch (BPF_CLASS(i.code)) {
      case BPF_LD:
        if (i.code == (BPF_LD | BPF_W | BPF_ABS)) {
          if (i.k % 4 != 0 || i.k + 4 > sizeof data) return std::nullopt;
          std::memcpy(&a, bytes + i.k, 4);
        } else if (i.code == (BPF_LD | BPF_W | BPF_LEN)) {
          a = sizeof data;
        } else if (i.code == (BPF_LD | BPF_IMM)) {
          a = i.k;
        } else if (i.code == (BPF_LD | BPF_MEM) && i.k < kScratch) {
          a = mem[i.k];
        } else {
          return std::nullopt;
        }
        break;
      case BPF_LDX:
        if (i.code == (BPF_LDX | BPF_W | BPF_LEN))
          x = sizeof data;
        else if (i.code == (BPF_LDX | BPF_IMM))
          x = i.k;
        else if (i.code == (BPF_LDX | BPF_MEM) && i.k < kScratch)
          x = mem[i.k];
        else
          return std::nullopt;
        break;
      case BPF_ST:
      case BPF_STX:
        if (i.k >= kScratch) return std::nullopt;
        mem[i.k] = BPF_CLASS(i.code) == BPF_ST ? a : x;
        break;
      case BPF_ALU:
        if (!alu(BPF_OP(i.code), a, operand)) return std::nullopt;
        break;
      case BPF_JMP:
        if (BPF_OP(i.code) == BPF_JA) {
          pc += i.k;
        } else {
          auto taken = jump_taken(BPF_OP(i.code), a, operand);
          if (!taken) return std::nullopt;
          pc += *taken ? i.jt : i.jf;
        }
        break;
      case BPF_RET:
        return BPF_RVAL(i.code) == BPF_A ? a : i.k;
      case BPF_MISC:
        if (BPF_MISCOP(i.code) == BPF_TAX)
          x = a;
        else
          a = x;
        break;
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;  // fell off the end: the kernel's checker forbids it
}

std::optional<uint32_t> run_seccomp_layers(std::span<const std::span<const sock_filter>> layers,
                                           const seccomp_data& data) {
  std::optional<uint32_t> result = SECCOMP_RET_ALLOW;
  for (const auto& layer : layers) {
    auto r = run_seccomp_bpf(layer, data);
    if (!r) return std::nullopt;
    // Signed, as the kernel compares them: SECCOMP_RET_KILL_PROCESS is 0x80000000.
    if (static_cast<int32_t>(*r & SECCOMP_RET_ACTION_FULL) <
        static_cast<int32_t>(*result & SECCOMP_RET_ACTION_FULL))
      result = r;
  }
  return result;
}

Expected<std::vector<sock_filter>> notify_variant(std::span<const sock_filter> prog,
                                                  std::span<const int> notify) {
  // LD arch; JEQ native else skip the lookups; LD nr; one JEQ per call; JA past; RET NOTIF.
  const uint32_t n = static_cast<uint32_t>(notify.size());
  if (n > 200) return fail(Error::make("build explain's seccomp filter", "too many calls"));
  std::vector<sock_filter> out;
  out.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  out.push_back(
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, static_cast<uint8_t>(n + 3)));
  out.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  for (uint32_t i = 0; i < n; ++i)
    out.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(notify[i]),
                           static_cast<uint8_t>(n - i), 0));
  out.push_back(BPF_STMT(BPF_JMP | BPF_JA, 1));
  out.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF));
  for (sock_filter insn : prog) {
    if (insn.code == (BPF_RET | BPF_K) && (insn.k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
      insn.k = SECCOMP_RET_USER_NOTIF;
    out.push_back(insn);
  }
  if (out.size() > BPF_MAXINSNS)
    return fail(Error::make("build explain's seccomp filter", "the program is too long"));
  return out;
}

}  // namespace vx
