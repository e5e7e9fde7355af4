import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliHarness } from "./testing/cli-harness";

type Json = Record<string, unknown> & { id: string; name?: string };

/** FIRST are objects that need no other object's id, in one multi-document YAML file. */
const FIRST = `
kind: Project
name: team-a
description: the A team
---
kind: Cluster
name: lab
spec: { description: a test cluster }
---
kind: StoragePool
name: pool-a
spec: { type: STORAGE_POOL_TYPE_LOCAL_DIR, capacityGib: 500 }
---
kind: VirtualNetwork
name: lan-a
spec: { type: NETWORK_TYPE_OVERLAY, cidr: 10.30.0.0/24, gateway: 10.30.0.1 }
---
kind: SecurityGroup
name: web-sg
spec:
  description: web traffic
  rules:
    - { direction: RULE_DIRECTION_INGRESS, protocol: RULE_PROTOCOL_TCP, portRange: { from: 443, to: 443 }, cidr: 0.0.0.0/0, action: RULE_ACTION_ALLOW, priority: 100 }
---
kind: Image
name: ubuntu
spec: { format: IMAGE_FORMAT_QCOW2, osFamily: OS_FAMILY_LINUX, osName: ubuntu-24.04, sizeBytes: 1073741824 }
---
kind: User
username: alice
email: alice@example.com
password: correct-horse-staple-42
role: ROLE_OPERATOR
---
kind: ServiceAccount
name: deployer
role: ROLE_VIEWER
---
kind: JoinToken
name: rack-3
maxUses: 2
---
kind: AlertRule
name: hot-nodes
spec: { metric: node.cpu.percent, operator: THRESHOLD_OPERATOR_GT, threshold: 95, forSec: 60, severity: ALERT_SEVERITY_WARNING, enabled: true }
`;

describe("limiqctl get, describe, create and delete", () => {
  let h: CliHarness;
  const file = (name: string, text: string) => {
    const path = join(h.home, name);
    writeFileSync(path, text);
    return path;
  };
  beforeAll(async () => {
    h = await CliHarness.start(2);
    await h.login();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("creates objects of every kind from one YAML file, then a volume, a VM and a snapshot that use them", async () => {
    const out = await h.ok(["create", "-f", file("first.yaml", FIRST), "--project", "team-a"]);
    expect(out.split("\n").slice(0, 4)).toEqual([
      "project/team-a created",
      "cluster/lab created",
      "pool/pool-a created",
      "network/lan-a created",
    ]);
    expect(out).toContain("jointoken/rack-3 created\ntoken: ");
    const pool = await h.json<Json>(["get", "pool", "pool-a"]);
    const lan = await h.json<Json>(["get", "network", "lan-a", "--project", "team-a"]);
    const volume = await h.json<{ volume: Json }>([
      "create",
      "volume",
      "root-a",
      "--set",
      `spec.poolId=${pool.id}`,
      "--set",
      "spec.sizeGib=20",
      "--project",
      "team-a",
    ]);
    const vm = JSON.stringify({
      kind: "VirtualMachine",
      name: "web-a",
      labels: { app: "web" },
      spec: {
        vcpus: 2,
        memoryMib: "2048",
        disks: [{ name: "root", volumeId: volume.volume.id }],
        nics: [{ name: "eth0", networkId: lan.id }],
      },
    });
    expect(await h.ok(["create", "-f", file("vm.json", vm), "--project", "team-a"])).toBe(
      "vm/web-a created\n",
    );
    // The simulated agent knows a VM once it has run: start it, then snapshot it.
    expect(await h.ok(["vm", "start", "web-a", "--wait", "--project", "team-a"])).toBe("vm/web-a RUNNING\n");
    expect(await h.ok(["vm", "snapshot", "web-a", "before", "--project", "team-a"])).toMatch(
      /^snapshot\/before created/,
    );
  });

  it("lists every kind with a table that starts with a NAME column", async () => {
    const kinds = [
      "vms",
      "nodes",
      "clusters",
      "projects",
      "pools",
      "volumes",
      "images",
      "networks",
      "securitygroups",
      "snapshots",
      "users",
      "serviceaccounts",
      "jointokens",
      "alertrules",
      "events",
      "audit",
    ];
    // Two at a time: each run is a process of its own.
    for (let i = 0; i < kinds.length; i += 2) {
      await Promise.all(
        kinds.slice(i, i + 2).map(async (kind) => {
          const out = await h.ok(["get", kind, "-A"]);
          expect(out.split("\n")[0], kind).toMatch(/^NAME\s{3}/);
          expect(out.split("\n").length, kind).toBeGreaterThan(2);
        }),
      );
    }
    for (const kind of ["alerts", "recommendations"]) {
      const empty = await h.run(["get", kind]);
      expect(empty, kind).toMatchObject({ code: 0, stdout: "" });
      expect(empty.stderr).toBe(`No ${kind} found.\n`);
    }
  });

  it("prints each output format so that it parses back", async () => {
    const json = await h.json<{ kind: string; items: Json[] }>(["get", "vms", "-l", "app=web"]);
    expect(json.kind).toBe("VirtualMachineList");
    expect(json.items.map((v) => v.name)).toEqual(["web-a"]);
    const yaml = parse(await h.ok(["get", "vm", "web-a", "-o", "yaml"])) as Json & {
      spec: { vcpus: number };
    };
    expect(yaml).toMatchObject({ id: json.items[0]!.id, name: "web-a", spec: { vcpus: 2 } });
    expect(await h.ok(["get", "vms", "-o", "name"])).toBe("vm/web-a\n");
    expect(await h.ok(["get", "vm/web-a", "-o", "name"])).toBe("vm/web-a\n");
    const wide = (await h.ok(["get", "vms", "--project", "team-a", "-o", "wide"])).split("\n");
    expect(wide[0]).toMatch(/^NAME\s+STATE\s+NODE\s+VCPUS\s+MEMORY\s+IPS\s+AGE\s+ID\s+LABELS$/);
    expect(wide[1]).toContain(json.items[0]!.id);
    expect(wide[1]).toContain("app=web");
    const snaps = await h.json<{ items: Json[] }>(["get", "snapshots", "--vm", "web-a"]);
    expect(snaps.items.map((s) => s.name)).toEqual(["before"]);
    const described = await h.ok(["describe", "vm", "web-a"]);
    expect(described).toMatch(/^Kind: {3}VirtualMachine\nName: {3}web-a\nID: {5}/);
    expect(described).toContain("vcpus: 2");
  });

  it("refuses a malformed file with exit code 2 and a message naming the field", async () => {
    const wrongType = await h.run([
      "create",
      "vm",
      "-f",
      file("bad1.yaml", "name: x\nspec: { vcpus: lots }\n"),
    ]);
    expect(wrongType.code).toBe(2);
    expect(wrongType.stderr).toMatch(/^error: .*bad1\.yaml: .*vcpus/);
    const unknown = await h.run([
      "create",
      "-f",
      file("bad2.yaml", "kind: Project\nname: x\ncolour: blue\n"),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"colour" is unknown');
    const notYaml = await h.run(["create", "-f", file("bad3.yaml", "kind: Project\nname: [x\n")]);
    expect(notYaml.code).toBe(2);
    expect(notYaml.stderr).toMatch(/bad3\.yaml.*not valid YAML/);
    const noKind = await h.run(["create", "-f", file("bad4.yaml", "name: x\n")]);
    expect(noKind.code).toBe(2);
    expect(noKind.stderr).toContain("kind: VirtualMachine");
    for (const result of [wrongType, unknown, notYaml, noKind]) expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 with the server's field violations when it refuses an argument", async () => {
    const result = await h.run([
      "create",
      "vm",
      "tiny",
      "--set",
      "spec.vcpus=0",
      "--set",
      "spec.memoryMib=64",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: invalid_argument: /);
    expect(result.stderr).toMatch(/\n {2}- spec\.vcpus: /);
    expect(result.stderr).toMatch(/\n {2}- spec\.memory_?[mM]ib: /);
  });

  it("exits 2 on a wrong command line and 4 for an object that does not exist", async () => {
    expect((await h.run(["get", "vms", "-o", "xml"])).code).toBe(2);
    expect((await h.run(["get", "widgets"])).code).toBe(2);
    expect((await h.run(["get", "vms", "--bogus"])).code).toBe(2);
    const missing = await h.run(["get", "vm", "no-such-vm"]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toBe('error: vm "no-such-vm" not found\n');
  });

  it("deletes objects of every kind, and then they are not found", async () => {
    const gone: [string, string][] = [
      ["snapshot", "before"],
      ["vm", "web-a"],
      ["volume", "root-a"],
      ["network", "lan-a"],
      ["securitygroup", "web-sg"],
      ["image", "ubuntu"],
      ["pool", "pool-a"],
      ["user", "alice"],
      ["serviceaccount", "deployer"],
      ["jointoken", "rack-3"],
      ["alertrule", "hot-nodes"],
      ["cluster", "lab"],
      ["project", "team-a"],
    ];
    for (const [kind, name] of gone) {
      const extra =
        kind === "snapshot" ? ["--vm", "web-a"] : kind === "vm" ? ["--force", "--detach-volumes"] : [];
      expect(await h.ok(["delete", kind, name, ...extra])).toBe(`${kind}/${name} deleted\n`);
    }
    expect((await h.run(["get", "project", "team-a"])).code).toBe(4);
    expect(await h.ok(["delete", "project", "team-a", "--ignore-not-found"])).toBe("");
  });

  it("completes commands, types, formats and object names", async () => {
    expect(await h.ok(["completion", "bash"])).toContain("complete -o default -F _limiqctl limiqctl");
    expect(await h.ok(["completion", "zsh"])).toContain("#compdef limiqctl");
    expect(await h.ok(["completion", "fish"])).toContain("complete -c limiqctl");
    const words = async (...args: string[]) => (await h.ok(["__complete", ...args])).trim().split("\n");
    expect(await words("g")).toContain("get");
    expect(await words("get", "no")).toEqual(["nodes", "node"]);
    expect(await words("get", "vms", "-o", "")).toEqual(["table", "wide", "json", "yaml", "name"]);
    expect(await words("node", "cordon", "")).toEqual(["sim-1", "sim-2"]);
    expect((await h.run(["completion", "tcsh"])).code).toBe(2);
    // The bash script, sourced in bash, asks limiqctl and fills COMPREPLY.
    const reply = ["$", "{COMPREPLY[@]}"].join("");
    const bash = await h.shell(
      `source <(limiqctl completion bash); COMP_WORDS=(limiqctl get no); COMP_CWORD=2; _limiqctl; printf "%s\\n" "${reply}"`,
    );
    expect(bash).toMatchObject({ code: 0, stdout: "nodes\nnode\n" });
  });
});
