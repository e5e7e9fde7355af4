import type { RunningServer } from "./server";

/** banner is what the server prints once it listens: where, in which mode, and how to call it. */
export function banner(server: RunningServer): string {
  const { config, url, sims } = server;
  const mode =
    config.mode === "dev"
      ? "dev (in memory: NOTHING PERSISTS)"
      : config.mode === "embedded"
        ? `embedded (data in ${config.dataDir})`
        : "production (PostgreSQL, Redis, etcd)";
  const host = config.server.host;
  const everywhere = host === "0.0.0.0" || host === "::";
  const listening = everywhere
    ? `LimiQuantix control plane listening on every interface (${host}) port ${server.port}; from this machine: ${url}  [${mode}]`
    : `LimiQuantix control plane listening on ${url}  [${mode}]`;
  const lines = [
    "",
    listening,
    ...(host === "127.0.0.1" || host === "::1" || host === "localhost"
      ? ["  reachable from this machine only (--host 0.0.0.0 to listen on every interface)"]
      : []),
    `  Connect + gRPC-Web (HTTP/1.1) and gRPC (HTTP/2) on this one port`,
    `  health: ${url}/ready   info: ${url}/api/v1/info   metrics: ${url}${config.metrics.path}`,
    sims
      ? `  ${sims.agents.length} simulated node(s): ${sims.agents.map((a) => a.nodeId).join(", ")}`
      : "  no simulated nodes",
    "",
    ...signIn(server),
    "Try:",
    `  curl -s ${url}/api/v1/info`,
    `  TOKEN=$(curl -s -X POST -H 'content-type: application/json' -d '{"username":"admin","password":"<password>"}' ${url}/limiquantix.iam.v1.AuthService/Login | sed 's/.*"accessToken":"\\([^"]*\\)".*/\\1/')`,
    `  curl -s -X POST -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" -d '{}' ${url}/limiquantix.compute.v1.NodeService/ListNodes`,
    `  (cd packages/api && npx buf curl --schema . --protocol grpc --http2-prior-knowledge -H "authorization: Bearer $TOKEN" -d '{}' ${url}/limiquantix.compute.v1.VMService/ListVMs)`,
    "",
  ];
  return `${lines.join("\n")}\n`;
}

/** signIn is the part of the banner that says how to sign in: the first admin's password, once, on a first start. */
function signIn(server: RunningServer): string[] {
  const { config, bootstrap } = server;
  if (!config.auth.enabled)
    return [
      "  AUTHENTICATION IS OFF (auth.enabled=false): anyone who reaches this port is an administrator",
      "",
    ];
  if (!bootstrap?.generatedPassword)
    return ["  sign in with AuthService/Login (every call needs 'authorization: Bearer <token>')", ""];
  return [
    "  ============================================================================",
    `  First start: created user "admin" with password ${bootstrap.generatedPassword}`,
    bootstrap.passwordFile
      ? `  (also written to ${bootstrap.passwordFile}, mode 0600; it is not shown again)`
      : "  (dev mode: it is not written anywhere and not shown again)",
    "  ============================================================================",
    "",
  ];
}
