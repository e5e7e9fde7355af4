import { readFile } from "node:fs/promises";
import type { Node } from "@limiquantix/domain";
import { ExponentialBackoff, handleWhen, retry, TimeoutStrategy, timeout, wrap } from "cockatiel";
import type { Config } from "../config/schema";
import { readBmcPassword } from "./bmc-password";
import type { FenceResult, Fencer } from "./fencer";
import { type RedfishAnswer, RedfishFailure, type RedfishTarget, redfishRequest } from "./redfish-client";

/** RedfishSettings are `ha.fencing.redfish`: timeouts, and the BMC of each node by node name. */
export type RedfishSettings = Config["ha"]["fencing"]["redfish"];
/** RedfishBmcSettings are one node's entry of `ha.fencing.redfish.nodes`. */
export type RedfishBmcSettings = RedfishSettings["nodes"][string];

/** RedfishFencerOptions tune what the configuration does not: retries of one request, and where secrets come from. */
export interface RedfishFencerOptions {
  /** Attempts of one request that failed for a reason that may pass (no connection, 5xx); default 3. */
  readonly attempts?: number;
  /** Delay before the first retry of a request, doubling after; default 500 ms. */
  readonly retryDelayMs?: number;
  /** Where `passwordEnv` is looked up; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** SYSTEMS_PATH is the Redfish collection of computer systems. */
const SYSTEMS_PATH = "/redfish/v1/Systems";

/** fieldOf reads one field of a JSON object answer, or undefined. */
function fieldOf(body: unknown, key: string): unknown {
  return body !== null && typeof body === "object" ? (body as Record<string, unknown>)[key] : undefined;
}

/** reasonOf words a failed step for the node's Fenced condition. */
function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * RedfishFencer fences a node through its BMC's Redfish service: it finds the ComputerSystem
 * (`systemId`, else the only member of /redfish/v1/Systems), POSTs `ComputerSystem.Reset` with
 * `ResetType: ForceOff`, then reads `PowerState` until it is `Off`. It answers "fenced" only once
 * Off is read back (or was already); a refused request (401, 404, a TLS error), a BMC that cannot
 * be reached, or one still not Off after `powerOffTimeoutSec` is "failed" with the reason, which
 * NodeFencing tries again with its backoff. Each request has `requestTimeoutSec` and is retried a
 * few times when it failed for a reason that may pass.
 */
export class RedfishFencer implements Fencer {
  readonly method = "redfish";

  constructor(
    private readonly settings: RedfishSettings,
    private readonly options: RedfishFencerOptions = {},
  ) {}

  /** handles says whether a node has a BMC entry in `ha.fencing.redfish.nodes`. */
  handles(node: Node): boolean {
    return Object.hasOwn(this.settings.nodes, node.name);
  }

  async fence(node: Node): Promise<FenceResult> {
    const bmc = this.settings.nodes[node.name];
    if (!bmc) return { outcome: "failed", reason: `no Redfish BMC is configured for node "${node.name}"` };
    try {
      const target = await this.targetOf(bmc);
      const system = await this.systemPath(target, bmc);
      const before = await this.get(target, system);
      if (fieldOf(before.body, "PowerState") === "Off")
        return { outcome: "fenced", message: `its BMC (${bmc.endpoint}) reports ${system} already Off` };
      await this.forceOff(target, system, before.body);
      const waited = await this.untilOff(target, system);
      return {
        outcome: "fenced",
        message: `powered off through its BMC (${bmc.endpoint}, Redfish ForceOff of ${system}; Off after ${Math.round(waited / 100) / 10} s)`,
      };
    } catch (e) {
      return { outcome: "failed", reason: `Redfish fencing through ${bmc.endpoint}: ${reasonOf(e)}` };
    }
  }

  /** targetOf reads the credentials and the CA of a BMC now, so a rotated password file is honoured. */
  private async targetOf(bmc: RedfishBmcSettings): Promise<RedfishTarget> {
    const password = await readBmcPassword(bmc, this.options.env ?? process.env);
    let ca: string | undefined;
    if (bmc.caFile) {
      try {
        ca = await readFile(bmc.caFile, "utf8");
      } catch (e) {
        throw new Error(`cannot read caFile ${bmc.caFile}: ${reasonOf(e)}`);
      }
    }
    return {
      endpoint: bmc.endpoint,
      username: bmc.username,
      password,
      insecureSkipVerify: bmc.insecureSkipVerify,
      ...(ca ? { ca } : {}),
    };
  }

  /** systemPath is the ComputerSystem to reset: the configured one, or the only one the BMC lists. */
  private async systemPath(target: RedfishTarget, bmc: RedfishBmcSettings): Promise<string> {
    if (bmc.systemId) return `${SYSTEMS_PATH}/${encodeURIComponent(bmc.systemId)}`;
    const members = fieldOf((await this.get(target, SYSTEMS_PATH)).body, "Members");
    const ids = Array.isArray(members)
      ? members.map((m) => fieldOf(m, "@odata.id")).filter((id): id is string => typeof id === "string")
      : [];
    if (ids.length !== 1)
      throw new Error(
        ids.length === 0
          ? `${SYSTEMS_PATH} lists no system`
          : `${SYSTEMS_PATH} lists ${ids.length} systems (${ids.join(", ")}): set systemId`,
      );
    return ids[0]!;
  }

  /** forceOff POSTs ComputerSystem.Reset with ForceOff to the action target the system names (or the standard one). */
  private async forceOff(target: RedfishTarget, system: string, body: unknown): Promise<void> {
    const action = fieldOf(fieldOf(body, "Actions"), "#ComputerSystem.Reset");
    const allowed = fieldOf(action, "ResetType@Redfish.AllowableValues");
    if (Array.isArray(allowed) && !allowed.includes("ForceOff"))
      throw new Error(`${system} does not offer ResetType ForceOff (it offers ${allowed.join(", ")})`);
    const path = fieldOf(action, "target");
    await this.send(
      target,
      "POST",
      typeof path === "string" ? path : `${system}/Actions/ComputerSystem.Reset`,
      {
        ResetType: "ForceOff",
      },
    );
  }

  /** untilOff reads PowerState until it is Off and returns how long that took, or throws after powerOffTimeoutSec. */
  private async untilOff(target: RedfishTarget, system: string): Promise<number> {
    const started = Date.now();
    const limitMs = this.settings.powerOffTimeoutSec * 1000;
    let last: unknown;
    for (;;) {
      last = fieldOf((await this.get(target, system)).body, "PowerState");
      if (last === "Off") return Date.now() - started;
      if (Date.now() - started >= limitMs)
        throw new Error(
          `${system} still reports PowerState ${String(last ?? "(none)")} ${this.settings.powerOffTimeoutSec} s after ForceOff; it is not known to be off`,
        );
      await sleep(
        Math.min(this.settings.pollIntervalSec * 1000, Math.max(0, started + limitMs - Date.now())),
      );
    }
  }

  private get(target: RedfishTarget, path: string): Promise<RedfishAnswer> {
    return this.send(target, "GET", path);
  }

  /** send makes one request, each attempt bounded by requestTimeoutSec, retried while it fails for a reason that may pass. */
  private send(
    target: RedfishTarget,
    method: "GET" | "POST",
    path: string,
    body?: unknown,
  ): Promise<RedfishAnswer> {
    const attempts = this.options.attempts ?? 3;
    const policy = wrap(
      retry(
        handleWhen((e) => e instanceof RedfishFailure && e.retryable),
        {
          maxAttempts: attempts - 1,
          backoff: new ExponentialBackoff({ initialDelay: this.options.retryDelayMs ?? 500, maxDelay: 5000 }),
        },
      ),
      timeout(this.settings.requestTimeoutSec * 1000, TimeoutStrategy.Cooperative),
    );
    return policy.execute(({ signal }) => redfishRequest(target, method, path, signal, body));
  }
}
