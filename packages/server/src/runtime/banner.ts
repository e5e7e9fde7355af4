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
    "Try:",
    `  curl -s ${url}/api/v1/info`,
    `  curl -s -X POST -H 'content-type: application/json' -d '{}' ${url}/limiquantix.compute.v1.NodeService/ListNodes`,
    `  (cd packages/api && npx buf curl --schema . --protocol grpc --http2-prior-knowledge -d '{}' ${url}/limiquantix.compute.v1.VMService/ListVMs)`,
    "",
  ];
  return `${lines.join("\n")}\n`;
}
