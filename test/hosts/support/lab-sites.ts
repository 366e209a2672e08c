import { spawnSync } from "node:child_process";

/**
 * The lab's "internet": HTTPS sites on ports 443 and 8443 (and plain HTTP on 80 where asked) at the
 * given addresses ("::" for every address of the namespace), each reply naming the host asked for and
 * the address that answered, so a test knows which site a tunnel reached.
 */
export function sitesScript(cert: string, key: string, addresses: readonly string[], plainHttp: boolean): string {
  return `
const fs = require("fs"), http = require("http"), https = require("https");
const tls = { cert: fs.readFileSync(${JSON.stringify(cert)}), key: fs.readFileSync(${JSON.stringify(key)}) };
const answer = (port) => (req, res) => { res.writeHead(200, { "content-type": "text/plain" }); res.end("site " + (req.headers.host || "").replace(/:\\d+$/, "") + " port " + port + " at " + req.socket.localAddress + "\\n"); };
const servers = [];
for (const address of ${JSON.stringify(addresses)}) {
  servers.push([https.createServer(tls, answer(443)), 443, address], [https.createServer(tls, answer(8443)), 8443, address]);
  if (${plainHttp}) servers.push([http.createServer(answer(80)), 80, address]);
}
let n = 0;
for (const [server, port, address] of servers) server.listen(port, address, () => { if (++n === servers.length) console.log("listening"); });
`;
}

export interface CurlResult {
  /** curl's exit status: 0 when the site answered. */
  readonly exit: number;
  /** The proxy's answer to CONNECT (0 when there was none). */
  readonly connect: number;
  /** The final HTTP status (the proxy's, for a plain HTTP request it refused). */
  readonly http: number;
  readonly body: string;
}

/** One request from a client namespace through the proxy. */
export function curlVia(ns: string, proxy: string, url: string, caFile: string, extra: readonly string[] = []): CurlResult {
  const marker = "\n--curl-codes--";
  const r = spawnSync(
    "ip",
    ["netns", "exec", ns, "curl", "-sS", "--max-time", "20", "--noproxy", "", "--proxy", proxy, "--cacert", caFile, "-w", `${marker}%{http_connect} %{http_code}`, ...extra, url],
    { encoding: "utf8", timeout: 60_000 },
  );
  const stdout = r.stdout ?? "";
  const at = stdout.lastIndexOf(marker);
  const [connect, http] = stdout.slice(at + marker.length).trim().split(" ").map(Number);
  return { exit: r.status ?? -1, connect: connect ?? 0, http: http ?? 0, body: at < 0 ? stdout : stdout.slice(0, at) };
}
