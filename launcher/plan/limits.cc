#include "plan/limits.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace vx {

namespace {

// A non-negative decimal ("2", "1.5") and the rest of the text after it.
std::optional<double> leading_number(const std::string& text, std::string& rest) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  std::string number = text.substr(0, i);
  if (number.empty() || number == "." || number.find('.') != number.rfind('.')) return std::nullopt;
  rest = text.substr(i);
  return std::strtod(number.c_str(), nullptr);
}

std::optional<uint64_t> checked(double value) {
  if (!std::isfinite(value) || value < 0 || value > 9.0e18) return std::nullopt;
  // value + 0.5 rounds as llround does for the non-negative values that reach here, without
  // libm: a launch loads no library but libc.
  return static_cast<uint64_t>(value + 0.5);
}

std::optional<uint64_t> parse_count(const std::string& text) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v == 0) return std::nullopt;
  return v;
}

}  // namespace

std::optional<uint64_t> parse_size(const std::string& text) {
  std::string unit;
  auto number = leading_number(text, unit);
  if (!number) return std::nullopt;
  double scale = 1;
  if (!unit.empty()) {
    static const std::string kUnits = "KMGT";
    size_t pos = kUnits.find(static_cast<char>(std::toupper(static_cast<unsigned char>(unit[0]))));
    if (pos != std::string::npos) {
      for (size_t k = 0; k <= pos; ++k) scale *= 1024;
      unit.erase(0, 1);
      if (unit == "i" || unit == "iB") unit.clear();
    }
    if (unit != "" && unit != "B" && unit != "b") return std::nullopt;
  }
  return checked(*number * scale);
}

std::optional<uint64_t> parse_duration_ms(const std::string& text) {
  std::string unit;
  auto number = leading_number(text, unit);
  if (!number) return std::nullopt;
  double scale;
  if (unit.empty() || unit == "s") {
    scale = 1000;
  } else if (unit == "ms") {
    scale = 1;
  } else if (unit == "m") {
    scale = 60e3;
  } else if (unit == "h") {
    scale = 3600e3;
  } else if (unit == "d") {
    scale = 86400e3;
  } else {
    return std::nullopt;
  }
  return checked(*number * scale);
}

std::string format_duration_ms(uint64_t ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

std::optional<std::string> apply_limit_option(LimitOptions& l, const std::string& name,
                                              const std::string& value) {
  const std::string quoted = "'" + value + "'";
  if (name == "--timeout" || name == "--kill-after") {
    auto ms = parse_duration_ms(value);
    if (!ms) return quoted + " is not a duration (e.g. 90s, 10m, 1.5h)";
    (name == "--timeout" ? l.timeout_ms : l.kill_after_ms) = *ms;
  } else if (name == "--memory" || name == "--tmpfs-size") {
    auto bytes = parse_size(value);
    if (!bytes || *bytes == 0) return quoted + " is not a size (e.g. 512M, 2G)";
    (name == "--memory" ? l.memory : l.tmpfs_size) = *bytes;
  } else if (name == "--pids" || name == "--nofile") {
    auto n = parse_count(value);
    if (!n) return quoted + " is not a positive whole number";
    (name == "--pids" ? l.pids : l.nofile) = *n;
  } else if (name == "--cpus") {
    std::string rest;
    auto n = leading_number(value, rest);
    if (!n || !rest.empty() || *n < 0.01) return quoted + " is not a number of CPUs (e.g. 0.5, 2)";
    l.cpus = *n;
  } else if (name == "--status-json") {
    if (value.empty()) return std::string("the file name is empty");
    l.status_json = value;
  } else if (name == "--status-fd") {
    int fd = -1;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), fd);
    if (ec != std::errc() || p != value.data() + value.size() || fd < 0)
      return quoted + " is not a file descriptor number";
    l.status_fd = fd;
  } else {
    return "not a limit option";
  }
  return std::nullopt;
}

void merge_limits(LimitOptions& base, const LimitOptions& later) {
  auto take = [](auto& to, const auto& from) {
    if (from) to = from;
  };
  take(base.timeout_ms, later.timeout_ms);
  take(base.kill_after_ms, later.kill_after_ms);
  take(base.memory, later.memory);
  take(base.pids, later.pids);
  take(base.cpus, later.cpus);
  take(base.tmpfs_size, later.tmpfs_size);
  take(base.nofile, later.nofile);
  take(base.status_json, later.status_json);
  take(base.status_fd, later.status_fd);
}

std::vector<std::string> format_limits(const LimitOptions& l) {
  std::vector<std::string> out;
  auto add = [&](const char* name, std::string value) {
    out.push_back(name);
    out.push_back(std::move(value));
  };
  if (l.timeout_ms) add("--timeout", format_duration_ms(*l.timeout_ms));
  if (l.kill_after_ms) add("--kill-after", format_duration_ms(*l.kill_after_ms));
  if (l.memory) add("--memory", std::to_string(*l.memory));
  if (l.pids) add("--pids", std::to_string(*l.pids));
  if (l.cpus) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", *l.cpus);
    add("--cpus", buf);
  }
  if (l.tmpfs_size) add("--tmpfs-size", std::to_string(*l.tmpfs_size));
  if (l.nofile) add("--nofile", std::to_string(*l.nofile));
  if (l.status_json) add("--status-json", *l.status_json);
  if (l.status_fd) add("--status-fd", std::to_string(*l.status_fd));
  return out;
}

}  // namespace vx
