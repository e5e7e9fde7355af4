import { compute } from "@limiquantix/api";
import type { Command } from "commander";
import { usageError } from "../exit-codes";
import { jsonOf, parseOutputFormat, serialize } from "../output/printer";
import { snapshotKind, vmState } from "../resources/compute-kinds";
import { enumName } from "../resources/kind";
import { resolve } from "../resources/resolve";
import { examples, type Runtime, type ScopeOptions } from "../runtime";
import {
  type CloneOptions,
  clone,
  consoleInfo,
  findVm,
  type MigrateOptions,
  migrate,
  type Vm,
  waitForState,
} from "./vm-operations";

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
