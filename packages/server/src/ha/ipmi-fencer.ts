import { execFile } from "node:child_process";
import type { Node } from "@limiquantix/domain";
import { ConstantBackoff, handleWhen, retry } from "cockatiel";
import type { Config } from "../config/schema";
import { readBmcPassword } from "./bmc-password";
import type { FenceResult, Fencer } from "./fencer";

/** IpmiSettings are `ha.fencing.ipmi`: the ipmitool program, timeouts, and the BMC of each node by node name. */
export type IpmiSettings = Config["ha"]["fencing"]["ipmi"];
/** IpmiBmcSettings are one node's entry of `ha.fencing.ipmi.nodes`. */
export type IpmiBmcSettings = IpmiSettings["nodes"][string];

/** IpmiFencerOptions tune what the configuration does not: retries of one command, and where secrets come from. */
export interface IpmiFencerOptions {
  /** Runs of one ipmitool command that failed (the BMC did not answer, or refused the session); default 2. */
  readonly attempts?: number;
  /** Pause before running a failed command again; default 1000 ms. */
  readonly retryDelayMs?: number;
  /** Where `passwordEnv` is looked up; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** IpmiFailure is an ipmitool run that failed; retryable is false when running it again cannot help (no ipmitool). */
class IpmiFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "IpmiFailure";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** powerOf reads `Chassis Power is on|off` from ipmitool's answer, or undefined when it says neither. */
function powerOf(stdout: string): "on" | "off" | undefined {
  const m = /Chassis Power is (on|off)/i.exec(stdout);
  return m ? (m[1]!.toLowerCase() as "on" | "off") : undefined;
}

/**
 * IpmiFencer fences a node through its BMC over IPMI with `ipmitool`: it reads `chassis power
 * status`, runs `chassis power off` unless the chassis is already off, then reads the status until
 * it is off. It answers "fenced" only once off is read back; ipmitool missing, a BMC that refuses
 * or does not answer (ipmitool's own message is the reason), or a chassis still on after
 * `powerOffTimeoutSec` is "failed", which NodeFencing tries again with its backoff. The password
 * goes to ipmitool through its environment (`-E`, IPMI_PASSWORD), never on its command line, where
 * any local user could read it.
 */
export class IpmiFencer implements Fencer {
  readonly method = "ipmi";

  constructor(
    private readonly settings: IpmiSettings,
    private readonly options: IpmiFencerOptions = {},
  ) {}

  /** handles says whether a node has a BMC entry in `ha.fencing.ipmi.nodes`. */
  handles(node: Node): boolean {
    return Object.hasOwn(this.settings.nodes, node.name);
  }

  async fence(node: Node): Promise<FenceResult> {
    const bmc = this.settings.nodes[node.name];
    if (!bmc) return { outcome: "failed", reason: `no IPMI BMC is configured for node "${node.name}"` };
    const where = `${bmc.host}:${bmc.port}`;
    try {
      const password = await readBmcPassword(bmc, this.options.env ?? process.env);
      if ((await this.status(bmc, password)) === "off")
        return { outcome: "fenced", message: `its BMC (${where}, IPMI) reports the chassis already off` };
      await this.run(bmc, password, ["chassis", "power", "off"]);
      const started = Date.now();
      const limitMs = this.settings.powerOffTimeoutSec * 1000;
      for (;;) {
        const power = await this.status(bmc, password);
        if (power === "off")
          return {
            outcome: "fenced",
            message: `powered off through its BMC (${where}, IPMI chassis power off; off after ${Math.round((Date.now() - started) / 100) / 10} s)`,
          };
        if (Date.now() - started >= limitMs)
          throw new Error(
            `the chassis still reports power ${power ?? "unknown"} ${this.settings.powerOffTimeoutSec} s after power off; it is not known to be off`,
          );
        await sleep(
          Math.min(this.settings.pollIntervalSec * 1000, Math.max(0, started + limitMs - Date.now())),
        );
      }
    } catch (e) {
      return { outcome: "failed", reason: `IPMI fencing through ${where}: ${(e as Error).message}` };
    }
  }

  private async status(bmc: IpmiBmcSettings, password: string): Promise<"on" | "off" | undefined> {
    return powerOf(await this.run(bmc, password, ["chassis", "power", "status"]));
  }

  /** run runs one ipmitool command against a BMC, bounded by commandTimeoutSec, and retried when it failed. */
  private run(bmc: IpmiBmcSettings, password: string, command: readonly string[]): Promise<string> {
    const policy = retry(
      handleWhen((e) => e instanceof IpmiFailure && e.retryable),
      {
        maxAttempts: (this.options.attempts ?? 2) - 1,
        backoff: new ConstantBackoff(this.options.retryDelayMs ?? 1000),
      },
    );
    return policy.execute(() => this.runOnce(bmc, password, command));
  }

  private runOnce(bmc: IpmiBmcSettings, password: string, command: readonly string[]): Promise<string> {
    const args = [
      "-I",
      bmc.interface,
      "-H",
      bmc.host,
      "-p",
      String(bmc.port),
      "-U",
      bmc.username,
      "-L",
      bmc.privilege,
      "-E",
      ...command,
    ];
    const what = `ipmitool ${command.join(" ")}`;
    return new Promise((resolve, reject) => {
      execFile(
        this.settings.ipmitoolPath,
        args,
        {
          timeout: this.settings.commandTimeoutSec * 1000,
          env: { PATH: process.env.PATH ?? "", IPMI_PASSWORD: password },
          maxBuffer: 64 * 1024,
        },
        (err, stdout, stderr) => {
          if (!err) return resolve(stdout);
          const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
          if (e.code === "ENOENT")
            return reject(
              new IpmiFailure(
                `${this.settings.ipmitoolPath} is not installed (install ipmitool, or set ha.fencing.ipmi.ipmitoolPath)`,
                false,
              ),
            );
          if (e.killed)
            return reject(
              new IpmiFailure(`${what}: no answer within ${this.settings.commandTimeoutSec} s`, true),
            );
          const said = `${stderr}`.trim().replace(/\s+/g, " ") || `${stdout}`.trim() || e.message;
          reject(new IpmiFailure(`${what} failed (exit ${String(e.code)}): ${said}`, true));
        },
      );
    });
  }
}
