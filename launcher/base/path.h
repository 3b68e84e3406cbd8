// Path and text strings: pure helpers shared by the planner and the host side. No syscalls.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vx {

// "/a/b/c" -> "/a/b"; "/a" -> "/"; "name" -> ".".
std::string parent_dir(const std::string& path);
// "/a/b/c" -> "c".
std::string base_name(const std::string& path);
// True when `path` is `dir` or lies below it (component-wise: /ab is not within /a).
bool is_within(const std::string& path, const std::string& dir);
// Text a sandbox could have written (a file name, an ELF's NEEDED entry, a #! line), quoted
// for the user's terminal: printable ASCII is kept, a backslash doubled, every other byte
// (controls, 8-bit C1 such as CSI 0x9b, UTF-8) becomes \xNN, so the quote is unambiguous.
std::string printable(std::string_view s);
// A whole message made safe for the terminal, readable where it can be: valid UTF-8 other than
// the C1 controls is kept, and so are backslashes; C0 controls, DEL, C1 and invalid bytes
// become \xNN. format_error and format_warning pass everything through it.
std::string terminal_safe(std::string_view s);
// The pieces of `text` between `sep` characters; a final separator ends the last piece
// ("a\nb\n" -> {"a", "b"}).
std::vector<std::string> split(std::string_view text, char sep);
// Blanks (space, tab, CR) removed at both ends.
std::string_view trim_blanks(std::string_view s);

}  // namespace vx
