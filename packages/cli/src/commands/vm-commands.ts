import { compute } from "@limiquantix/api";
import type { Command } from "commander";
import { CliError, ExitCode, usageError } from "../exit-codes";
import { jsonOf, parseOutputFormat, serialize } from "../output/printer";
import { nodeKind, snapshotKind, vmKind, vmState } from "../resources/compute-kinds";
import { enumName } from "../resources/kind";
import { resolve } from "../resources/resolve";
import { examples, type Runtime, type ScopeOptions } from "../runtime";
import { follow, whileRunning } from "./wait";

type Vm = compute.VirtualMachine;

async function findVm(rt: Runtime, ref: string, options: ScopeOptions): Promise<Vm> {
  const projectId = await rt.projectId(options);
  return (await resolve(rt.session(), vmKind, ref, projectId ? { projectId } : {})) as Vm;
}

async function nodeName(rt: Runtime, id: string): Promise<string> {
  if (!id) return "<none>";
  try {
    return (await rt.session().client(compute.NodeService).getNode({ id })).node?.name ?? id;
  } catch {
    return id;
  }
}

const watchVm = (rt: Runtime, id: string) => (signal: AbortSignal) =>
  vmKind.watchOne!(rt.session(), id, signal);

/** waitForState follows a VM until it reaches one of the states, showing each state it passes through. */
async function waitForState(
  rt: Runtime,
  vm: Vm,
  states: readonly compute.PowerState[],
  verb: string,
): Promise<Vm> {
  const progress = rt.progress(`${verb} vm ${vm.name}…`);
  const reached = await follow(
    watchVm(rt, vm.id),
    (v) => progress.update(`${verb} vm ${v.name}: ${vmState(v)}`),
    (v) => states.includes(v.status?.powerState ?? 0) || v.status?.powerState === compute.PowerState.FAILED,
    rt.signal,
  );
  if (!reached) {
    progress.stop();
    throw new CliError(`stopped waiting for vm ${vm.name}`, ExitCode.INTERRUPTED);
  }
  if (reached.status?.powerState === compute.PowerState.FAILED) {
    progress.fail(`vm ${vm.name} FAILED: ${reached.status.message || "no reason given"}`);
    throw new CliError(
      `vm ${vm.name} failed: ${reached.status.message || "no reason given"}`,
      ExitCode.CONFLICT,
    );
  }
  progress.succeed(`vm ${vm.name} is ${vmState(reached)}`);
  return reached;
}

interface PowerOptions extends ScopeOptions {
  wait?: boolean;
  force?: boolean;
  timeout?: string;
}

/** POWER_VERBS are the power operations: the call, the state a --wait waits for, and the words to say it. */
const POWER_VERBS: {
  name: string;
  summary: string;
  call: (rt: Runtime, vm: Vm, o: PowerOptions) => Promise<unknown>;
  until: compute.PowerState[];
  doing: string;
}[] = [
  {
    name: "start",
    summary: "start VMs (the server records the desired state; --wait waits until they run)",
    call: (rt, vm) => rt.session().client(compute.VMService).startVM({ id: vm.id }),
    until: [compute.PowerState.RUNNING],
    doing: "starting",
  },
  {
    name: "stop",
    summary: "stop VMs gracefully (--force pulls the plug)",
    call: (rt, vm, o) =>
      rt
        .session()
        .client(compute.VMService)
        .stopVM({
          id: vm.id,
          mode: o.force ? compute.StopMode.FORCE : compute.StopMode.GRACEFUL,
          timeoutSec: o.timeout ? Number(o.timeout) : 0,
        }),
    until: [compute.PowerState.STOPPED],
    doing: "stopping",
  },
  {
    name: "reboot",
    summary: "reboot VMs",
    call: (rt, vm, o) =>
      rt
        .session()
        .client(compute.VMService)
        .rebootVM({ id: vm.id, force: o.force ?? false }),
    until: [compute.PowerState.RUNNING],
    doing: "rebooting",
  },
  {
    name: "suspend",
    summary: "suspend VMs to disk",
    call: (rt, vm) => rt.session().client(compute.VMService).suspendVM({ id: vm.id }),
    until: [compute.PowerState.SUSPENDED],
    doing: "suspending",
  },
  {
    name: "pause",
    summary: "pause VMs (their memory stays resident)",
    call: (rt, vm) => rt.session().client(compute.VMService).pauseVM({ id: vm.id }),
    until: [compute.PowerState.PAUSED],
    doing: "pausing",
  },
  {
    name: "resume",
    summary: "resume paused or suspended VMs",
    call: (rt, vm) => rt.session().client(compute.VMService).resumeVM({ id: vm.id }),
    until: [compute.PowerState.RUNNING],
    doing: "resuming",
  },
];

interface MigrateOptions extends ScopeOptions {
  to?: string;
  offline?: boolean;
  wait?: boolean;
}

async function migrate(rt: Runtime, ref: string, options: MigrateOptions): Promise<void> {
  const session = rt.session();
  const vm = await findVm(rt, ref, options);
  const target = options.to ? ((await resolve(session, nodeKind, options.to)) as compute.Node) : undefined;
  const live = !options.offline && vm.status?.powerState === compute.PowerState.RUNNING;
  const from = await nodeName(rt, vm.status?.nodeId ?? "");
  const request = { id: vm.id, targetNodeId: target?.id ?? "", live };
  const client = session.client(compute.VMService);
  if (options.wait === false) {
    // The API answers MigrateVM when the move has ended; a move outlives a call that stops
    // waiting, so limiqctl returns once the VM shows the migration under way.
    const call = new AbortController();
    const answer = client.migrateVM(request, { signal: call.signal });
    answer.catch(() => undefined);
    const seen = new AbortController();
    const started = await Promise.race([
      answer.then((r) => ({ ended: r.vm })),
      follow(
        watchVm(rt, vm.id),
        () => {},
        (v) => Boolean(v.status?.migration),
        seen.signal,
      ).then((v) => ({ started: v })),
    ]);
    seen.abort();
    if ("ended" in started) {
      rt.out(`vm/${vm.name} migrated to ${await nodeName(rt, started.ended?.status?.nodeId ?? "")}`);
      return;
    }
    call.abort();
    const to = started.started?.status?.migration?.targetNodeId ?? target?.id ?? "";
    rt.out(
      `vm ${vm.name}: ${live ? "live " : ""}migration from ${from} to ${await nodeName(rt, to)} started`,
    );
    rt.err(`Follow it with: limiqctl get vm ${vm.name} --watch`);
    return;
  }
  const progress = rt.progress(`migrating vm ${vm.name} from ${from}${target ? ` to ${target.name}` : ""}…`);
  try {
    const answer = await whileRunning(
      (signal) => client.migrateVM(request, { signal }),
      (stop) =>
        follow(
          watchVm(rt, vm.id),
          (v) => {
            const m = v.status?.migration;
            if (m) progress.update(`migrating vm ${vm.name} from ${from}: ${Math.round(m.progressPercent)}%`);
          },
          () => false,
          stop,
        ),
      rt,
    );
    const to = await nodeName(rt, answer.vm?.status?.nodeId ?? "");
    progress.succeed(
      `vm ${vm.name} migrated from ${from} to ${to} (${answer.vm ? vmState(answer.vm) : "?"})`,
    );
    rt.out(`vm/${vm.name} migrated to ${to}`);
  } catch (e) {
    progress.fail(`migration of vm ${vm.name} failed`);
    throw e;
  }
}

interface CloneOptions extends ScopeOptions {
  start?: boolean;
  label?: string[];
  wait?: boolean;
}

/** parseLabels reads `k=v` pairs. */
export function parseLabels(pairs: readonly string[] | undefined, flag = "-l"): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw usageError(`${flag} ${pair}: expected KEY=VALUE`);
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
}

async function clone(rt: Runtime, ref: string, newName: string, options: CloneOptions): Promise<void> {
  const vm = await findVm(rt, ref, options);
  const labels = parseLabels(options.label);
  const progress = rt.progress(`cloning vm ${vm.name} as ${newName}…`);
  let copy: Vm | undefined;
  try {
    copy = (
      await rt
        .session()
        .client(compute.VMService)
        .cloneVM({ id: vm.id, name: newName, labels, start: options.start ?? false }, { signal: rt.signal })
    ).vm;
  } catch (e) {
    progress.fail(`cloning vm ${vm.name} failed`);
    throw e;
  }
  if (!copy) throw new CliError("the server did not return the clone");
  if (options.start && options.wait !== false) {
    progress.update(`vm ${newName} created; starting…`);
    progress.stop();
    await waitForState(rt, copy, [compute.PowerState.RUNNING], "starting");
    rt.out(`vm/${newName} cloned from ${vm.name} and running`);
    return;
  }
  progress.succeed(`vm ${newName} cloned from ${vm.name} (${vmState(copy)})`);
  rt.out(`vm/${newName} created`);
  if (options.start) rt.err(`Follow its start with: limiqctl get vm ${newName} --watch`);
}

async function consoleInfo(
  rt: Runtime,
  ref: string,
  options: ScopeOptions & { output?: string },
): Promise<void> {
  const format = parseOutputFormat(options.output);
  const vm = await findVm(rt, ref, options);
  const node = vm.status?.nodeId
    ? await rt
        .session()
        .client(compute.NodeService)
        .getNode({ id: vm.status.nodeId })
        .then((r) => r.node)
        .catch(() => undefined)
    : undefined;
  const info = {
    vm: vm.name,
    state: enumName(compute.PowerState, vm.status?.powerState ?? 0),
    node: node?.name ?? vm.status?.nodeId ?? "",
    nodeAddress: node?.spec?.managementIp ?? "",
    agentAddress: node?.spec?.agentAddress ?? "",
    addresses: vm.status?.nics.map((n) => ({ nic: n.name, ip: n.ipAddress, mac: n.macAddress })) ?? [],
  };
  if (format === "json" || format === "yaml") {
    rt.out(serialize(info, format));
    return;
  }
  rt.out(
    [
      `vm:       ${info.vm} (${info.state})`,
      `node:     ${info.node || "<not placed>"}${info.nodeAddress ? ` (${info.nodeAddress})` : ""}`,
      `agent:    ${info.agentAddress || "<unknown>"}`,
      ...info.addresses.map((a) => `nic ${a.nic}: ${a.ip || "<no address>"} ${a.mac}`),
    ].join("\n"),
  );
  rt.err("The API serves no console session yet: reach the guest at the addresses above, or on its node.");
}

/** registerVmCommands adds `vm` and its operations. */
export function registerVmCommands(program: Command, rt: Runtime): void {
  const vm = examples(program.command("vm").description("operate VMs: power, migrate, clone, snapshots"), [
    "limiqctl vm start web --wait",
    "limiqctl vm migrate web --to node-2",
    "limiqctl vm clone web web-2 --start",
  ]);
  const scoped = (c: Command) => c.option("--project <project>", "the project to look the VM up in");
  for (const verb of POWER_VERBS) {
    const command = scoped(
      vm
        .command(verb.name)
        .description(verb.summary)
        .argument("<vms...>", "VM names or ids")
        .option(
          "--wait",
          `wait until the VM is ${verb.until.map((s) => compute.PowerState[s]).join(" or ")}`,
        ),
    );
    if (verb.name === "stop" || verb.name === "reboot")
      command.option("--force", "do not wait for the guest");
    if (verb.name === "stop") command.option("--timeout <seconds>", "how long a graceful stop may take");
    examples(
      command.action(async (refs: string[], options: PowerOptions) => {
        if (options.timeout !== undefined && !/^\d+$/.test(options.timeout))
          throw usageError(`--timeout ${options.timeout}: expected a number of seconds`);
        for (const ref of refs) {
          const target = await findVm(rt, ref, options);
          await verb.call(rt, target, options);
          if (options.wait) {
            const reached = await waitForState(rt, target, verb.until, verb.doing);
            rt.out(`vm/${target.name} ${vmState(reached)}`);
          } else rt.out(`vm/${target.name} ${verb.name} requested`);
        }
      }),
      [`limiqctl vm ${verb.name} web`, `limiqctl vm ${verb.name} web db --wait`],
    );
  }
  examples(
    scoped(
      vm
        .command("migrate")
        .description("move a VM to another node (live when it runs) and wait until the move has ended")
        .argument("<vm>", "VM name or id")
        .option("--to <node>", "the target node (default: the scheduler chooses)")
        .option("--offline", "stop-and-move instead of a live migration")
        .option("--no-wait", "return once the migration is under way"),
    ).action((ref: string, options: MigrateOptions) => migrate(rt, ref, options)),
    ["limiqctl vm migrate web", "limiqctl vm migrate web --to node-2", "limiqctl vm migrate web --no-wait"],
  );
  examples(
    scoped(
      vm
        .command("clone")
        .description("copy a VM, disks included, under a new name")
        .argument("<vm>", "VM name or id")
        .argument("<name>", "the copy's name")
        .option("--start", "start the copy (and wait until it runs)")
        .option("-l, --label <key=value...>", "the copy's labels (default: the source's)")
        .option("--no-wait", "with --start, return once the copy exists"),
    ).action((ref: string, name: string, options: CloneOptions) => clone(rt, ref, name, options)),
    ["limiqctl vm clone web web-2", "limiqctl vm clone web web-2 --start -l app=web"],
  );
  examples(
    scoped(
      vm
        .command("snapshot")
        .description("snapshot a VM's disks (and memory with --memory)")
        .argument("<vm>", "VM name or id")
        .argument("<name>", "the snapshot's name")
        .option("--memory", "include the VM's memory")
        .option("--description <text>", "what the snapshot is for")
        .option("-o, --output <format>", "json|yaml|name"),
    ).action(
      async (
        ref: string,
        name: string,
        options: ScopeOptions & { memory?: boolean; description?: string; output?: string },
      ) => {
        const format = options.output ? parseOutputFormat(options.output) : undefined;
        const target = await findVm(rt, ref, options);
        const answer = await rt
          .session()
          .client(compute.VMService)
          .createSnapshot({
            vmId: target.id,
            name,
            includeMemory: options.memory ?? false,
            description: options.description ?? "",
          });
        if (format === "json" || format === "yaml")
          rt.out(serialize(jsonOf(compute.CreateSnapshotResponseSchema, answer), format));
        else
          rt.out(
            `snapshot/${name}${format === "name" ? "" : ` created (${enumName(compute.SnapshotPhase, answer.snapshot?.phase ?? 0)})`}`,
          );
      },
    ),
    ["limiqctl vm snapshot web before-upgrade --memory"],
  );
  examples(
    scoped(
      vm
        .command("revert")
        .description("revert a VM to one of its snapshots")
        .argument("<vm>", "VM name or id")
        .argument("<snapshot>", "snapshot name or id"),
    ).action(async (ref: string, snap: string, options: ScopeOptions) => {
      const target = await findVm(rt, ref, options);
      const snapshot = await resolve(rt.session(), snapshotKind, snap, { vmId: target.id });
      const answer = await rt
        .session()
        .client(compute.VMService)
        .revertToSnapshot({ vmId: target.id, snapshotId: snapshotKind.idOf(snapshot) });
      rt.out(
        `vm/${target.name} reverted to ${snapshotKind.nameOf(snapshot)} (${answer.vm ? vmState(answer.vm) : "?"})`,
      );
    }),
    ["limiqctl vm revert web before-upgrade"],
  );
  examples(
    scoped(
      vm
        .command("console-info")
        .description("show where a VM runs and the addresses to reach it at")
        .argument("<vm>", "VM name or id")
        .option("-o, --output <format>", "table|json|yaml"),
    ).action((ref: string, options: ScopeOptions & { output?: string }) => consoleInfo(rt, ref, options)),
    ["limiqctl vm console-info web", "limiqctl vm console-info web -o json"],
  );
}
