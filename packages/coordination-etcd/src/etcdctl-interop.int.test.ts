import { ErrorCode } from "@limiquantix/domain";
import { testEtcd } from "@limiquantix/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { type EtcdctlProcess, spawnEtcdctl } from "../test/etcdctl";
import { coordinatorOnTestEtcd, eventually, sleep, uniqueRoot } from "../test/support";
import type { EtcdCoordinator } from "./coordinator";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(): Promise<{
  root: string;
  ours: EtcdCoordinator;
  etcdctl: (args: string[]) => EtcdctlProcess;
}> {
  const root = uniqueRoot();
  const server = await testEtcd();
  const ours = await coordinatorOnTestEtcd(root);
  cleanup.push(() => ours.close());
  const etcdctl = (args: string[]) => {
    const p = spawnEtcdctl(server.endpoints, args);
    cleanup.push(() => p.stop());
    return p;
  };
  return { root, ours, etcdctl };
}

describe("interoperability with etcdctl lock", () => {
  it("a lock held by `etcdctl lock` excludes ours until etcdctl lets go", async () => {
    const { root, ours, etcdctl } = await setup();
    const child = etcdctl(["lock", `${root}locks/vm-7`]);
    const [key] = await child.waitForLines(1);
    expect(key).toMatch(new RegExp(`^${root}locks/vm-7/[0-9a-f]+$`));
    expect(await ours.tryLock("vm-7")).toBeUndefined();
    await expect(ours.lock("vm-7", { timeoutMs: 300 })).rejects.toMatchObject({
      code: ErrorCode.Unavailable,
    });
    const waiting = ours.lock("vm-7");
    await child.stop();
    const handle = await waiting;
    expect(handle.signal.aborted).toBe(false);
    await handle.release();
  });

  it("our lock excludes `etcdctl lock` until we release it", async () => {
    const { root, ours, etcdctl } = await setup();
    const handle = await ours.lock("vm-8");
    const child = etcdctl(["lock", `${root}locks/vm-8`]);
    await sleep(1000);
    expect(child.lines).toEqual([]);
    await handle.release();
    const [key] = await child.waitForLines(1);
    expect(key).toMatch(new RegExp(`^${root}locks/vm-8/[0-9a-f]+$`));
  });
});

describe("interoperability with etcdctl elect", () => {
  it("`etcdctl elect -l` names our leader, and the next one after we resign", async () => {
    const { root, ours, etcdctl } = await setup();
    const office = await ours.campaign("controllers", "replica-ours");
    const observer = etcdctl(["elect", "-l", `${root}elections/controllers`]);
    await eventually(() => expect(observer.lines).toContain("replica-ours"));
    const leaderKey = observer.lines[observer.lines.indexOf("replica-ours") - 1];
    expect(leaderKey).toMatch(new RegExp(`^${root}elections/controllers/[0-9a-f]+$`));
    const second = await coordinatorOnTestEtcd(root);
    cleanup.push(() => second.close());
    const next = second.campaign("controllers", "replica-second");
    await office.resign();
    await next;
    await eventually(() => expect(observer.lines).toContain("replica-second"));
  });

  it("a leader elected by `etcdctl elect` is named by leader() and observe(), and we follow it", async () => {
    const { root, ours, etcdctl } = await setup();
    const seen: (string | undefined)[] = [];
    const sub = await ours.observe("controllers", (l) => seen.push(l));
    const child = etcdctl(["elect", `${root}elections/controllers`, "etcdctl-leader"]);
    await child.waitForLines(2);
    expect(child.lines[1]).toBe("etcdctl-leader");
    expect(await ours.leader("controllers")).toBe("etcdctl-leader");
    await eventually(() => expect(seen).toEqual([undefined, "etcdctl-leader"]));
    const ourTurn = ours.campaign("controllers", "replica-ours", { timeoutMs: 20_000 });
    await sleep(300);
    expect(await ours.leader("controllers")).toBe("etcdctl-leader");
    await child.stop();
    const office = await ourTurn;
    expect(await ours.leader("controllers")).toBe("replica-ours");
    await eventually(() => expect(seen).toEqual([undefined, "etcdctl-leader", "replica-ours"]));
    await office.resign();
    await sub.unsubscribe();
  });
});
