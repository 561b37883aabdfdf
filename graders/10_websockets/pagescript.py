"""The chat page's script, checked without a browser (the browser test needs Chromium).

- ``scripts_of``: the page's inline scripts and the URLs of its external ones.
- ``hard_coded_hosts``: ``ws://host...`` literals in the script (a fixed host is wrong).
- ``opened_sockets``: run the script under node (when installed) with a fake ``window``,
  ``document`` and ``WebSocket``, once as if served from http://grader.test:8123/ and once
  from https://grader.test:8443/, and report the WebSocket URL it opened in each (a relative
  URL resolved as browsers do). None when node is not installed.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
SRC = re.compile(r"""\bsrc\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
HARD_CODED = re.compile(r"""["'`]wss?://[A-Za-z0-9\[]""")
PAGES = {"http": "http://grader.test:8123/", "https": "https://grader.test:8443/"}

# A DOM made of stubs: any property is another stub, any call returns one, any assignment
# is accepted, so a script runs as far as it would in a page without crashing on a detail.
HARNESS = r"""
const vm = require("vm");
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
function stub() {
  const f = function () {};
  return new Proxy(f, {
    get: (t, k) => (k === Symbol.toPrimitive ? () => "" : k === "then" ? undefined : k in t ? t[k] : (t[k] = stub())),
    set: (t, k, v) => { t[k] = v; return true; },
    apply: () => stub(),
    construct: () => stub(),
  });
}
const out = {};
for (const [name, href] of Object.entries(input.pages)) {
  const opened = [];
  const url = new URL(href);
  const location = { href, protocol: url.protocol, host: url.host, hostname: url.hostname, port: url.port,
                     origin: url.origin, pathname: url.pathname, search: "", hash: "", toString: () => href };
  class WebSocket {
    constructor(u) {
      const resolved = new URL(String(u), href);
      if (resolved.protocol === "http:") resolved.protocol = "ws:";
      if (resolved.protocol === "https:") resolved.protocol = "wss:";
      opened.push(resolved.href);
      this.url = resolved.href; this.readyState = 0;
    }
    send() {} close() {} addEventListener() {} removeEventListener() {}
  }
  Object.assign(WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  const listeners = [];
  const document = stub();
  document.addEventListener = (type, fn) => listeners.push(fn);
  document.readyState = "complete";
  const sandbox = { location, WebSocket, document, console: { log() {}, error() {}, warn() {}, info() {} },
                    setTimeout: () => 0, setInterval: () => 0, clearTimeout() {}, clearInterval() {}, URL };
  sandbox.window = sandbox; sandbox.self = sandbox; sandbox.globalThis = sandbox;
  sandbox.addEventListener = (type, fn) => listeners.push(fn);
  const errors = [];
  vm.createContext(sandbox);
  for (const code of input.scripts) {
    try { vm.runInContext(code, sandbox, { timeout: 2000 }); } catch (e) { errors.push(String(e)); }
  }
  for (const fn of [...listeners, sandbox.onload, sandbox.window.onload]) {
    if (typeof fn === "function") { try { fn(stub()); } catch (e) { errors.push(String(e)); } }
  }
  out[name] = { opened, errors };
}
process.stdout.write(JSON.stringify(out));
"""


def scripts_of(html: str) -> tuple[list[str], list[str]]:
    """(inline scripts, src URLs of external scripts), in page order."""
    inline, external = [], []
    for attrs, body in SCRIPT.findall(html):
        src = SRC.search(attrs)
        if src:
            external.append(src.group(1))
        elif body.strip():
            inline.append(body)
    return inline, external


def hard_coded_hosts(scripts: list[str]) -> list[str]:
    found = []
    for code in scripts:
        for m in HARD_CODED.finditer(code):
            end = code.find(m.group(0)[0], m.end())
            found.append(code[m.start() + 1:end if end > 0 else m.end() + 30][:60])
    return found


def node() -> str | None:
    return shutil.which("node")


async def opened_sockets(scripts: list[str], timeout: float = 10.0) -> dict[str, dict] | None:
    """{"http": {"opened": [...], "errors": [...]}, "https": ...}, or None without node."""
    exe = node()
    if exe is None:
        return None
    proc = await asyncio.create_subprocess_exec(exe, "-e", HARNESS, stdin=asyncio.subprocess.PIPE,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(json.dumps({"pages": PAGES, "scripts": scripts}).encode()),
                                          timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return {name: {"opened": [], "errors": [f"the script did not finish within {timeout:.0f} s"]}
                for name in PAGES}
    if proc.returncode != 0:
        return {name: {"opened": [], "errors": [err.decode(errors="replace")[-300:]]} for name in PAGES}
    return json.loads(out)
