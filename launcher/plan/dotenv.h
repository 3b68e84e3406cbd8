// The project's .env (SPEC §4): parsed, never executed. Pure; the host side reads
// the file (host/request.cc).
//
// Forms: KEY=VALUE, with an optional "export " and blanks around '='; '#' comment lines and
// blank lines; unquoted values end at a '#' preceded by a blank and are trimmed; 'single'
// quotes are literal; "double" quotes take \n \r \t \" \\ escapes; both quotes may span lines
// (as python-dotenv's do). CRLF line ends and a UTF-8 byte-order mark are accepted. Keys match
// [A-Za-z_][A-Za-z0-9_]*. Nothing is expanded: ${VAR} stays as written, because sandboxed code
// can write the file, and expansion would copy host variables (secrets) into the sandbox.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace vx {

struct DotenvEntry {
  std::string key;
  std::string value;
  size_t line = 0;
  bool operator==(const DotenvEntry&) const = default;
};

// Entries in file order (a later duplicate wins when applied). Errors: what = "FILE:LINE".
Expected<std::vector<DotenvEntry>> parse_dotenv(std::string_view text, const std::string& file);

// Keys that steer the launcher (VENV_EXEC_*, BWRAP_ARGS, SANDBOX_*, VERBOSE): .env may not set
// them, since the sandbox can write .env (SPEC §4).
bool is_launcher_key(std::string_view key);


}  // namespace vx
