// A small LaunchRequest for the planner's unit tests: uid/gid 1000, project /p, `true` to run,
// the network mode given.
#pragma once

#include <string>
#include <vector>

#include "plan/plan_sandbox.h"

namespace vx {

inline LaunchRequest sample_request(NetMode net) {
  static const std::vector<std::string> host = {"PATH=/usr/bin"};
  LaunchRequest req;
  req.host_environ = &host;
  req.host_uid = 1000;
  req.host_gid = 1000;
  req.home = "/home/u";
  req.cwd = "/p";
  req.project = "/p";
  req.exec_file = "true";
  req.argv = {"true"};
  req.options.net = net;
  return req;
}

}  // namespace vx
