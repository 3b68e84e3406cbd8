// venv-exec: the table of contents of a launch. Dispatch on argv[0] and the subcommand, then
// call the pipeline steps in order. No logic lives here.
#include "error.h"

int main() { return vx::kExitLauncherFailed; }
