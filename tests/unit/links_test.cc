// The link channel's pure half (plan/links.h): which URLs pass, the per-minute budget, the
// opener chosen and its argv, and what the plan puts inside for links.
#include "plan/links.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "plan/cli.h"
#include "plan/options.h"
#include "plan/plan_sandbox.h"

namespace vx {
namespace {

TEST(LinkUrl, AcceptsHttpHttpsMailto) {
  EXPECT_EQ(link_refusal("https://example.org/a?b=c#d"), std::nullopt);
  EXPECT_EQ(link_refusal("HTTP://example.org"), std::nullopt);
  EXPECT_EQ(link_refusal("mailto:a@example.org?subject=hi%20there"), std::nullopt);
  EXPECT_EQ(link_refusal("https://example.org/" + std::string(kMaxLinkBytes - 20, 'x')),
            std::nullopt);
}

TEST(LinkUrl, RefusesOtherSchemesControlsAndSize) {
  const std::string only = "only http, https and mailto links are opened";
  EXPECT_EQ(link_refusal("file:///etc/passwd"), only);
  EXPECT_EQ(link_refusal("javascript:alert(1)"), only);
  EXPECT_EQ(link_refusal("httpx://a"), only);
  EXPECT_EQ(link_refusal("-https://a"), only);  // never an option to the opener
  EXPECT_EQ(link_refusal("/etc/passwd"), only);
  EXPECT_EQ(link_refusal("https:"), "it has no host after the scheme");
  EXPECT_EQ(link_refusal("https://"), "it has no host after the scheme");
  EXPECT_EQ(link_refusal("https:/a"), "it has no host after the scheme");
  EXPECT_EQ(link_refusal("https://a/\nb"), "it contains a control character");
  EXPECT_EQ(link_refusal("https://a/\x1b[2J"), "it contains a control character");
  EXPECT_EQ(link_refusal("https://a/\x7f"), "it contains a control character");
  EXPECT_EQ(link_refusal("https://a/ b"), "it contains a blank (write it as %20)");
  EXPECT_EQ(link_refusal("https://a/\xc3\xa9"), "it is not ASCII (write it percent-encoded)");
  EXPECT_EQ(link_refusal(""), "the message is empty");
  EXPECT_EQ(link_refusal("https://a/" + std::string(kMaxLinkBytes, 'x')),
            "it is longer than 8 KiB");
}

TEST(LinkBudget, FivePerSlidingMinute) {
  LinkBudget b;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(b.take(1000 + static_cast<uint64_t>(i)));
  EXPECT_FALSE(b.take(2000));
  EXPECT_FALSE(b.take(60999));
  EXPECT_TRUE(b.take(61000));  // the first one left the window
  EXPECT_FALSE(b.take(61000));
}

TEST(LinkOpener, PortalThenXdgOpenWithADisplayThenPrint) {
  OpenerFacts f{true, true, "/usr/bin/gdbus", "/usr/bin/xdg-open"};
  EXPECT_EQ(choose_opener(f), LinkOpener::kPortal);
  f.gdbus = "";
  EXPECT_EQ(choose_opener(f), LinkOpener::kXdgOpen);
  f.display = false;  // a text browser on the user's terminal is no way to open it
  EXPECT_EQ(choose_opener(f), LinkOpener::kPrint);
  EXPECT_EQ(choose_opener(OpenerFacts{}), LinkOpener::kPrint);
}

TEST(LinkOpener, ArgvKeepsTheUrlOneElement) {
  OpenerFacts f{true, true, "/usr/bin/gdbus", "/usr/bin/xdg-open"};
  std::string url = "https://a/'x'\\y";
  auto portal = opener_argv(LinkOpener::kPortal, f, url);
  ASSERT_EQ(portal.size(), 14u);
  EXPECT_EQ(portal[0], "/usr/bin/gdbus");
  EXPECT_EQ(portal[10], "org.freedesktop.portal.OpenURI.OpenURI");
  EXPECT_EQ(portal[12], "'https://a/\\'x\\'\\\\y'");
  EXPECT_EQ(opener_argv(LinkOpener::kXdgOpen, f, url),
            (std::vector<std::string>{"/usr/bin/xdg-open", url}));
  EXPECT_TRUE(opener_argv(LinkOpener::kPrint, f, url).empty());
  EXPECT_EQ(gvariant_string(""), "''");
}

LaunchRequest request() {
  static const std::vector<std::string> host = {"PATH=/usr/bin", "DBUS_SESSION_BUS_ADDRESS=x"};
  LaunchRequest req;
  req.host_environ = &host;
  req.home = "/home/u";
  req.cwd = req.project = "/p";
  req.venv_dir = "/p/.venv";
  req.self_exe = "/opt/vx/venv-exec";
  req.exec_file = "true";
  req.argv = {"true"};
  return req;
}

bool has_env(const SandboxPlan& plan, const std::string& kv) {
  return std::find(plan.env.begin(), plan.env.end(), kv) != plan.env.end();
}

bool has_op(const SandboxPlan& plan, const MountOp& op) {
  return std::find(plan.mounts.ops.begin(), plan.mounts.ops.end(), op) != plan.mounts.ops.end();
}

TEST(LinkPlan, ShimOnPathAsBrowserAndTheSocket) {
  LaunchRequest req = request();
  req.host_xdg_open = true;
  auto plan = plan_sandbox(req);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->links_socket, "/run/venv-exec/links.sock");
  EXPECT_TRUE(has_env(*plan, "BROWSER=/run/venv-exec/bin/xdg-open"));
  EXPECT_TRUE(has_env(*plan,
                      "PATH=/p/.venv/bin:/run/venv-exec/bin:/usr/local/bin:/usr/bin:/bin:"
                      "/usr/local/sbin:/usr/sbin:/sbin"));
  EXPECT_FALSE(std::any_of(plan->env.begin(), plan->env.end(),
                           [](const std::string& kv) { return kv.starts_with("DBUS_"); }));
  EXPECT_TRUE(has_op(*plan, {MountKind::kSymlink, "/opt/vx/venv-exec", kLinksShim}));
  EXPECT_TRUE(has_op(*plan, {MountKind::kRoBind, "/opt/vx/venv-exec", "/usr/bin/xdg-open"}));
  req.host_xdg_open = false;
  EXPECT_FALSE(
      has_op(*plan_sandbox(req), {MountKind::kRoBind, "/opt/vx/venv-exec", "/usr/bin/xdg-open"}));
}

TEST(LinkPlan, TheHostXdgOpenIsCoveredWhereverTheViewShowsIt) {
  LaunchRequest req = request();
  req.host_xdg_open = true;
  req.options.profile = "minimal";
  MountOp cover{MountKind::kRoBind, "/opt/vx/venv-exec", "/usr/bin/xdg-open"};
  EXPECT_FALSE(has_op(*plan_sandbox(req), cover));  // no /usr/bin: nothing to cover
  req.system_view = {{MountKind::kRoBind, "/usr/bin", "/usr/bin"}};
  EXPECT_TRUE(has_op(*plan_sandbox(req), cover));
}

TEST(LinkPlan, NoOpenKeepsTheShimButNoSocket) {
  LaunchRequest req = request();
  req.options.open_links = false;
  auto plan = plan_sandbox(req);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->links_socket, "");
  EXPECT_TRUE(has_op(*plan, {MountKind::kSymlink, "/opt/vx/venv-exec", kLinksShim}));
  EXPECT_NE(format_sandbox_plan(*plan).find("links: off (--no-open)\n"), std::string::npos);
}

TEST(LinkPlan, NoOpenIsStoredAndTheLaterChoiceWins) {
  auto parsed = parse_sandbox_args({"--no-open", "true"}, true, "venv-exec");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->options.open_links, false);
  EXPECT_EQ(format_options(parsed->options), (std::vector<std::string>{"--no-open"}));
  SandboxOptions stored = parsed->options, later;
  later.open_links = true;
  merge_options(stored, later);
  EXPECT_EQ(stored.open_links, true);
  merge_options(stored, SandboxOptions{});
  EXPECT_EQ(stored.open_links, true);
}

// Without the host's network, the sandbox's local servers are not the host's: such a link
// would reach the host's own (a router page, a local admin interface) instead.
TEST(LinkRefusal, LocalHostsOnlyWithTheHostNetwork) {
  const std::string local = "its host is local to the sandbox, which has a network of its own";
  for (const char* url : {"http://localhost:8888/tree",
                          "http://LOCALHOST./",
                          "http://a.localhost/",
                          "https://127.0.0.1/",
                          "http://127.1/",
                          "http://2130706433/",
                          "http://0x7f000001/",
                          "http://0.0.0.0:8000/",
                          "http://0/",
                          "http://10.1.2.3/",
                          "http://172.20.0.1/",
                          "http://192.168.1.1/",
                          "http://169.254.169.254/latest",
                          "http://[::1]:8888/",
                          "http://[::]/",
                          "http://[fe80::1%25eth0]/",
                          "http://[fd00::1]/",
                          "http://[::ffff:127.0.0.1]/",
                          "http://user:pw@localhost/",
                          "http://%6cocalhost/",
                          "http://localhost\\@example.org/",
                          "http://localhost?@example.org/"}) {
    EXPECT_EQ(link_refusal(url), local) << url;
    EXPECT_EQ(link_refusal(url, true), std::nullopt) << url;
  }
  for (const char* url :
       {"http://example.org/", "http://172.32.0.1/", "http://8.8.8.8/", "http://[2001:db8::1]/",
        "http://localhost.example.org/", "http://localhost@example.org/", "https://192.169.0.1/"})
    EXPECT_EQ(link_refusal(url), std::nullopt) << url;
}

TEST(LinkRefusal, MailtoAttachmentsAreRefused) {
  const std::string why = "a mailto link may not ask for an attachment";
  EXPECT_EQ(link_refusal("mailto:a@example.org?attach=/home/u/.ssh/id_rsa"), why);
  EXPECT_EQ(link_refusal("mailto:a@example.org?subject=x&ATTACHMENT=~/.gnupg"), why);
  EXPECT_EQ(link_refusal("mailto:a@example.org?%61ttach=/etc/shadow", true), why);
  EXPECT_EQ(link_refusal("mailto:a@example.org?subject=attach&body=attachment"), std::nullopt);
  EXPECT_EQ(link_refusal("mailto:a@example.org?attached=1"), std::nullopt);
}

}  // namespace
}  // namespace vx
