import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliHarness } from "./testing/cli-harness";

type Vm = { id: string; name: string; status: { nodeId: string; powerState: string } };
type Node = { id: string; name: string; status: { phase: string } };

describe("limiqctl operations", () => {
  let h: CliHarness;
  const nodeOf = async (vm: string) => {
    const { status } = await h.json<Vm>(["get", "vm", vm]);
    const nodes = await h.json<{ items: Node[] }>(["get", "nodes"]);
    return nodes.items.find((n) => n.id === status.nodeId)!.name;
  };
  const otherNode = async (vm: string) => {
    const here = await nodeOf(vm);
    return ["sim-1", "sim-2", "sim-3"].find((n) => n !== here)!;
  };

  beforeAll(async () => {
    h = await CliHarness.start(3, 1);
    await h.login();
    const setup = join(h.home, "setup.yaml");
    writeFileSync(
      setup,
      [
        "kind: VirtualNetwork\nname: ops-lan\nspec: { type: NETWORK_TYPE_OVERLAY, cidr: 10.40.0.0/24, gateway: 10.40.0.1 }",
        "kind: StoragePool\nname: ops-pool\nspec: { type: STORAGE_POOL_TYPE_LOCAL_DIR, capacityGib: 500 }",
      ].join("\n---\n"),
    );
    await h.ok(["create", "-f", setup, "--project", "default"]);
    const pool = await h.json<{ id: string }>(["get", "pool", "ops-pool"]);
    const lan = await h.json<{ id: string }>(["get", "network", "ops-lan"]);
    const volume = await h.json<{ volume: { id: string } }>([
      "create",
      "volume",
      "ops-root",
      "--set",
      `spec.poolId=${pool.id}`,
      "--set",
      "spec.sizeGib=10",
      "--project",
      "default",
    ]);
    const vm = join(h.home, "vm.yaml");
    writeFileSync(
      vm,
      `kind: VirtualMachine\nname: op-vm\nspec:\n  vcpus: 1\n  memoryMib: 1024\n  disks: [{ name: root, volumeId: ${volume.volume.id} }]\n  nics: [{ name: eth0, networkId: ${lan.id} }]\n`,
    );
    await h.ok(["create", "-f", vm, "--project", "default"]);
    expect(await h.ok(["vm", "start", "op-vm", "--wait"])).toBe("vm/op-vm RUNNING\n");
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("get --watch prints the objects, then a change as it happens, and Ctrl-C ends it cleanly", async () => {
    const watch = h.spawn(["get", "vms", "--watch", "-o", "json"]);
    await watch.waitFor(/"type":"CREATED","object":\{[^\n]*"name":"op-vm"/);
    await h.ok(["vm", "stop", "op-vm"]);
    await watch.waitFor(/"type":"UPDATED"[^\n]*"powerState":"POWER_STATE_STOPPED"/);
    watch.child.kill("SIGINT");
    expect(await watch.exited).toBe(0);
    for (const line of watch.stdout.trim().split("\n"))
      expect(JSON.parse(line)).toHaveProperty("object.name", "op-vm");
    expect(await h.ok(["vm", "start", "op-vm", "--wait"])).toBe("vm/op-vm RUNNING\n");
  });

  it("vm migrate waits until the move has ended and says where the VM went", async () => {
    const target = await otherNode("op-vm");
    expect(await h.ok(["vm", "migrate", "op-vm", "--to", target])).toBe(`vm/op-vm migrated to ${target}\n`);
    expect(await nodeOf("op-vm")).toBe(target);
  });

  it("a refused migration exits 5 with the server's message", async () => {
    const target = await otherNode("op-vm");
    await h.ok(["node", "cordon", target]);
    const result = await h.run(["vm", "migrate", "op-vm", "--to", target]);
    await h.ok(["node", "uncordon", target]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/\nerror: failed_precondition: vm "op-vm" cannot move to node .*cordon/);
    expect(result.stderr).toMatch(/\n {2}- request id: /);
  });

  it("node drain waits until every VM has moved and the node is in MAINTENANCE", async () => {
    const node = await nodeOf("op-vm");
    const result = await h.run(["node", "drain", node]);
    expect(result).toMatchObject({ code: 0, stdout: `node/${node} drained\n` });
    expect(result.stderr).toContain(`node ${node} drained: 1 VM(s) migrated, 0 stopped; it is MAINTENANCE`);
    expect((await h.json<Node>(["get", "node", node])).status.phase).toBe("NODE_PHASE_MAINTENANCE");
    expect(await nodeOf("op-vm")).not.toBe(node);
    await h.ok(["node", "uncordon", node]);
  });

  it("vm clone --start waits until the copy runs", async () => {
    expect(await h.ok(["vm", "clone", "op-vm", "op-copy", "--start"])).toBe(
      "vm/op-copy cloned from op-vm and running\n",
    );
    expect((await h.json<Vm>(["get", "vm", "op-copy"])).status.powerState).toBe("POWER_STATE_RUNNING");
  });

  it("events -f follows what happens", async () => {
    const follow = h.spawn(["events", "-f"]);
    await follow.waitFor(/^NAME\s+TIME\s+SEVERITY\s+REASON\s+OBJECT\s+MESSAGE/);
    await h.ok(["node", "cordon", "sim-1"]);
    await follow.waitFor(/NodeCordoned\s+Node\/sim-1/);
    follow.child.kill("SIGINT");
    expect(await follow.exited).toBe(0);
    await h.ok(["node", "uncordon", "sim-1"]);
  });

  it("shows a spinner and colour in a terminal, and no colour with NO_COLOR", async () => {
    const target = await otherNode("op-vm");
    const tty = h.pty(["vm", "migrate", "op-vm", "--to", target]);
    expect(await tty.exited).toBe(0);
    expect(tty.stdout).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] migrating vm op-vm from sim-\d/);
    expect(tty.stdout).toContain(`\u001b[32m✔\u001b[39m vm op-vm migrated from`);
    const plain = h.pty(["get", "vm", "no-such-vm"], { NO_COLOR: "1" });
    expect(await plain.exited).toBe(4);
    expect(plain.stdout).toContain('error: vm "no-such-vm" not found');
    expect(plain.stdout).not.toContain("\u001b[");
  });

  it("--no-wait returns once a migration or a drain is under way, and the server finishes it", async () => {
    const target = await otherNode("op-vm");
    const migrate = await h.run(["vm", "migrate", "op-vm", "--to", target, "--no-wait"]);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(
      new RegExp(
        `^vm op-vm: live migration from sim-\\d to ${target} started\n$|^vm/op-vm migrated to ${target}\n$`,
      ),
    );
    const watch = h.spawn(["get", "vm", "op-vm", "--watch", "-o", "json"]);
    await watch.waitFor(
      new RegExp(
        `"powerState":"POWER_STATE_RUNNING","nodeId":"${(await h.json<Node>(["get", "node", target])).id}"`,
      ),
    );
    watch.child.kill("SIGINT");
    await watch.exited;
    const drain = await h.run(["node", "drain", target, "--no-wait"]);
    expect(drain.code).toBe(0);
    expect(drain.stdout).toMatch(new RegExp(`^node/${target} (cordoned; drain under way|drained)\n$`));
    const nodes = h.spawn(["get", "node", target, "--watch", "-o", "json"]);
    await nodes.waitFor(/"phase":"NODE_PHASE_MAINTENANCE"/);
    nodes.child.kill("SIGINT");
    await nodes.exited;
    expect(await nodeOf("op-vm")).not.toBe(target);
    await h.ok(["node", "uncordon", target]);
  });

  it("acknowledges and resolves an alert a rule raised, seen by get alerts --watch", async () => {
    const watch = h.spawn(["get", "alerts", "--watch", "-o", "name"]);
    await h.ok([
      "create",
      "alertrule",
      "always",
      "--set",
      "spec.metric=node.cpu.percent",
      "--set",
      "spec.operator=THRESHOLD_OPERATOR_GTE",
      "--set",
      "spec.threshold=0",
      "--set",
      "spec.severity=ALERT_SEVERITY_INFO",
      "--set",
      "spec.enabled=true",
    ]);
    await watch.waitFor(/^alert\/\S+$/m);
    watch.child.kill("SIGINT");
    await watch.exited;
    const id = watch.stdout.trim().split("\n")[0]!.slice("alert/".length);
    expect(await h.ok(["alert", "ack", id, "--comment", "on it"])).toBe(`alert/${id} ACKNOWLEDGED\n`);
    expect(await h.ok(["alert", "resolve", id])).toBe(`alert/${id} RESOLVED\n`);
    await h.ok(["delete", "alertrule", "always"]);
  });

  it("drs run proposes moving a VM off a crowded node, and drs apply waits until it has moved", async () => {
    // Two large VMs on sim-1 alone, then the other nodes open again: a pass proposes a move.
    await h.ok(["node", "cordon", "sim-2", "sim-3"]);
    for (const name of ["big-1", "big-2"]) {
      await h.ok([
        "create",
        "vm",
        name,
        "--project",
        "default",
        "--set",
        "spec.vcpus=16",
        "--set",
        "spec.memoryMib=40960",
      ]);
      await h.ok(["vm", "start", name, "--wait"]);
    }
    await h.ok(["node", "uncordon", "sim-2", "sim-3"]);
    const pass = await h.json<{
      recommendations: { id: string; vmId: string; state: string }[];
      status: { enabled: boolean };
    }>(["drs", "run", "default"]);
    expect(pass.status.enabled).toBe(true);
    const rec = pass.recommendations.find((r) => r.state === "RECOMMENDATION_STATE_PENDING");
    expect(rec).toBeDefined();
    expect(await h.ok(["drs", "status", "default"])).toMatch(
      /^enabled: {10}yes\nimbalance: [\s\S]*\nrecommendations: {2}[1-9]\d* pending/,
    );
    const applied = await h.run(["drs", "apply", rec!.id]);
    expect(applied).toMatchObject({ code: 0, stdout: `recommendation/${rec!.id} applied\n` });
    expect(applied.stderr).toContain(`recommendation ${rec!.id} APPLIED`);
    const vms = await h.json<{ items: Vm[] }>(["get", "vms"]);
    const moved = vms.items.find((v) => v.id === rec!.vmId)!;
    expect(await nodeOf(moved.name)).not.toBe("sim-1");
  });
});
