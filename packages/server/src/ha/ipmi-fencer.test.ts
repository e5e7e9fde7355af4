import type { Node } from "@limiquantix/domain";
import { makeTempDir, type TempDir } from "@limiquantix/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigSchema } from "../config/schema";
import { type FakeIpmitoolOptions, writeFakeIpmitool } from "../testing/fake-ipmitool";
import { type IpmiBmcSettings, IpmiFencer } from "./ipmi-fencer";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir("ipmi");
});
afterEach(async () => {
  await dir.remove();
});

const node = (name: string) => ({ id: `id-${name}`, name }) as Node;

function fencer(
  ipmitoolPath: string,
  bmc: Partial<IpmiBmcSettings> = {},
  timing: { powerOffTimeoutSec?: number } = {},
  password = "s3cret",
) {
  const settings = ConfigSchema.parse({
    ha: {
      fencing: {
        ipmi: {
          ipmitoolPath,
          pollIntervalSec: 0.05,
          ...timing,
          nodes: { a: { host: "10.0.0.50", username: "fencer", passwordEnv: "BMC_PASSWORD", ...bmc } },
        },
      },
    },
  }).ha.fencing.ipmi;
  return new IpmiFencer(settings, { attempts: 2, retryDelayMs: 10, env: { BMC_PASSWORD: password } });
}

async function fake(options: FakeIpmitoolOptions = {}) {
  return writeFakeIpmitool(dir.path, options);
}

describe("IpmiFencer", () => {
  it("answers fenced once the chassis reads off after power off, the password passed only through the environment", async () => {
    const ipmi = await fake({ offAfterReads: 2 });
    const f = fencer(ipmi.path);
    expect(f.handles(node("a"))).toBe(true);
    expect(f.handles(node("b"))).toBe(false);
    const result = await f.fence(node("a"));
    expect(result).toMatchObject({
      outcome: "fenced",
      message: expect.stringMatching(/IPMI chassis power off/),
    });
    expect(await ipmi.power()).toBe("off");
    const calls = await ipmi.calls();
    expect(calls[0]?.args).toEqual([
      "-I",
      "lanplus",
      "-H",
      "10.0.0.50",
      "-p",
      "623",
      "-U",
      "fencer",
      "-L",
      "ADMINISTRATOR",
      "-E",
      "chassis",
      "power",
      "status",
    ]);
    expect(calls.map((c) => c.args.slice(-3).join(" "))).toEqual([
      "chassis power status",
      "chassis power off",
      "chassis power status",
      "chassis power status",
      "chassis power status",
    ]);
    expect(calls.every((c) => c.passwordSet && !c.args.includes("s3cret"))).toBe(true);
  });

  it("answers fenced without power off when the chassis is already off", async () => {
    const ipmi = await fake();
    await ipmi.setPower("off");
    expect(await fencer(ipmi.path).fence(node("a"))).toMatchObject({
      outcome: "fenced",
      message: expect.stringMatching(/already off/),
    });
    expect((await ipmi.calls()).map((c) => c.args.at(-1))).toEqual(["status"]);
  });

  it("fails with ipmitool's words when the BMC refuses the session, after one more try", async () => {
    const ipmi = await fake();
    const result = await fencer(ipmi.path, {}, {}, "wrong").fence(node("a"));
    expect(result).toMatchObject({
      outcome: "failed",
      reason: expect.stringMatching(
        /chassis power status failed \(exit 1\): Error: Unable to establish IPMI v2/,
      ),
    });
    expect(await ipmi.calls()).toHaveLength(2);
    expect(await ipmi.power()).toBe("on");
  });

  it("fails when the chassis never reads off within powerOffTimeoutSec", async () => {
    const ipmi = await fake({ powersOff: false });
    const result = await fencer(ipmi.path, {}, { powerOffTimeoutSec: 1 }).fence(node("a"));
    expect(result).toMatchObject({
      outcome: "failed",
      reason: expect.stringMatching(/still reports power on 1 s after power off/),
    });
  });

  it("fails saying ipmitool is not installed when the program is missing", async () => {
    const result = await fencer(`${dir.path}/no-such-ipmitool`).fence(node("a"));
    expect(result).toMatchObject({ outcome: "failed", reason: expect.stringMatching(/is not installed/) });
  });

  it("reads the password from passwordFile", async () => {
    const ipmi = await fake({ password: "from-file" });
    const { writeFile } = await import("node:fs/promises");
    await writeFile(`${dir.path}/pw`, "from-file\n");
    const f = fencer(ipmi.path, { passwordFile: `${dir.path}/pw`, passwordEnv: undefined });
    expect(await f.fence(node("a"))).toMatchObject({ outcome: "fenced" });
  });
});

describe("ha.fencing.ipmi configuration", () => {
  it("refuses a node fenced through both Redfish and IPMI, naming the IPMI entry", () => {
    const r = ConfigSchema.safeParse({
      ha: {
        fencing: {
          redfish: { nodes: { a: { endpoint: "https://bmc-a", username: "u", passwordEnv: "P" } } },
          ipmi: { nodes: { a: { host: "bmc-a", username: "u", passwordEnv: "P" } } },
        },
      },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["ha", "fencing", "ipmi", "nodes", "a"]);
  });
});
