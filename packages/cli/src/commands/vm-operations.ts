// The VM operations that take a while or look further than the VM: migrate, clone, console-info,
// and waiting for a power state.
import { compute } from "@limiquantix/api";
import { CliError, ExitCode, usageError } from "../exit-codes";
import { parseOutputFormat, serialize } from "../output/printer";
import { nodeKind, vmKind, vmState } from "../resources/compute-kinds";
import { enumName } from "../resources/kind";
import { resolve } from "../resources/resolve";
import type { Runtime, ScopeOptions } from "../runtime";
import { follow, whileRunning } from "./wait";

/** Vm is a VM as the API returns it. */
export type Vm = compute.VirtualMachine;

export async function findVm(rt: Runtime, ref: string, options: ScopeOptions): Promise<Vm> {
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
export async function waitForState(
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

export interface MigrateOptions extends ScopeOptions {
  to?: string;
  offline?: boolean;
  wait?: boolean;
}

export async function migrate(rt: Runtime, ref: string, options: MigrateOptions): Promise<void> {
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

export interface CloneOptions extends ScopeOptions {
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

export async function clone(rt: Runtime, ref: string, newName: string, options: CloneOptions): Promise<void> {
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

export async function consoleInfo(
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
