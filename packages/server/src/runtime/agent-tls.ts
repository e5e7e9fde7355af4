import { readFileSync } from "node:fs";
import type { TestPki } from "@limiquantix/agent-client/testing";
import { invalidArgument } from "@limiquantix/domain";
import type { Config } from "../config/schema";

/** AgentTls is the control plane's client identity towards agents, and (for simulated nodes) the PKI that issued it. */
export interface AgentTls {
  readonly tls: { readonly ca: string; readonly cert: string; readonly key: string };
  /** Present when the server issued a throwaway PKI for simulated nodes. */
  readonly pki?: TestPki;
}

function read(field: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw invalidArgument([{ field, description: `cannot be read: ${(e as Error).message}` }]);
  }
}

/**
 * agentTls reads the configured agent certificates or, without them, issues a throwaway CA for
 * the simulated nodes (which then trust only this process). The certificate library loads only
 * in that second case.
 */
export async function agentTls(config: Config): Promise<AgentTls> {
  const files = config.agents.tls;
  if (files)
    return {
      tls: {
        ca: read("agents.tls.caFile", files.caFile),
        cert: read("agents.tls.certFile", files.certFile),
        key: read("agents.tls.keyFile", files.keyFile),
      },
    };
  const { createTestPkiAsync } = await import("@limiquantix/agent-client/testing");
  // Its keys are made on the thread pool: the server connects to its backends meanwhile.
  const pki = await createTestPkiAsync("limiquantix-simulation-ca");
  return { tls: { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key }, pki };
}
