import { compute } from "@limiquantix/api";
import type { Command } from "commander";
import { CliError, ExitCode, usageError } from "../exit-codes";
import { nodeKind, taintText, vmKind } from "../resources/compute-kinds";
import { enumName } from "../resources/kind";
import { resolve } from "../resources/resolve";
import { examples, type Runtime } from "../runtime";
import { sleep, whileRunning } from "./wait";

type Node = compute.Node;

const findNode = async (rt: Runtime, ref: string) => (await resolve(rt.session(), nodeKind, ref)) as Node;

const EFFECTS: Record<string, compute.TaintEffect> = {
  noschedule: compute.TaintEffect.NO_SCHEDULE,
  prefernoschedule: compute.TaintEffect.PREFER_NO_SCHEDULE,
  noexecute: compute.TaintEffect.NO_EXECUTE,
};

/** parseTaint reads `key=value:Effect` (add) or `key[:Effect]-` (remove). */
export function parseTaint(spec: string): {
  remove: boolean;
  key: string;
  value: string;
  effect: compute.TaintEffect;
} {
  const remove = spec.endsWith("-");
  const body = remove ? spec.slice(0, -1) : spec;
  const colon = body.lastIndexOf(":");
  const head = colon >= 0 ? body.slice(0, colon) : body;
  const effectText = colon >= 0 ? body.slice(colon + 1) : "";
  const effect = effectText
    ? EFFECTS[
        effectText
          .toLowerCase()
          .replace(/[_-]/g, "")
          .replace(/^tainteffect/, "")
      ]
    : undefined;
  if (effectText && effect === undefined)
    throw usageError(
      `taint ${spec}: the effect must be NoSchedule, PreferNoSchedule or NoExecute (got ${effectText})`,
    );
  if (!remove && effect === undefined)
    throw usageError(`taint ${spec}: expected KEY[=VALUE]:EFFECT, e.g. gpu=true:NoSchedule`);
  const eq = head.indexOf("=");
  const key = eq >= 0 ? head.slice(0, eq) : head;
  if (!key) throw usageError(`taint ${spec}: the key is empty`);
  return {
    remove,
    key,
    value: eq >= 0 ? head.slice(eq + 1) : "",
    effect: effect ?? compute.TaintEffect.UNSPECIFIED,
  };
}

interface DrainOptions {
  force?: boolean;
  wait?: boolean;
}

async function drain(rt: Runtime, ref: string, options: DrainOptions): Promise<void> {
  const session = rt.session();
  const node = await findNode(rt, ref);
  const client = session.client(compute.NodeService);
  const request = { id: node.id, force: options.force ?? false };
  if (options.wait === false) {
    // DrainNode answers when the drain has ended and has no asynchronous form; the drain goes on
    // on the server when the caller stops waiting, so limiqctl returns once the node is cordoned.
    const call = new AbortController();
    const answer = client.drainNode(request, { signal: call.signal });
    answer.catch(() => undefined);
    let ended = false;
    const outcome = answer.then(
      () => {
        ended = true;
      },
      (e: unknown) => {
        ended = true;
        throw e;
      },
    );
    for (;;) {
      const now = (await client.getNode({ id: node.id })).node;
      if (ended) break;
      if (now?.spec?.cordoned) break;
      await Promise.race([sleep(200, rt.signal), outcome.catch(() => undefined)]);
    }
    if (ended) await outcome;
    else call.abort();
    rt.out(`node/${node.name} ${ended ? "drained" : "cordoned; drain under way"}`);
    if (!ended) rt.err(`Follow it with: limiqctl get node ${node.name} --watch   (MAINTENANCE once empty)`);
    return;
  }
  const progress = rt.progress(`draining node ${node.name}…`);
  try {
    const answer = await whileRunning(
      (signal) => client.drainNode(request, { signal }),
      async (stop) => {
        while (!stop.aborted) {
          const left = await vmKind.list(session, { nodeId: node.id }).catch(() => undefined);
          if (left) progress.update(`draining node ${node.name}: ${left.length} VM(s) left`);
          await sleep(500, stop);
        }
      },
      rt,
    );
    const phase = enumName(compute.NodePhase, answer.node?.status?.phase ?? 0);
    progress.succeed(
      `node ${node.name} drained: ${answer.migratedVmIds.length} VM(s) migrated, ${answer.stoppedVmIds.length} stopped; it is ${phase}`,
    );
    rt.out(`node/${node.name} drained`);
  } catch (e) {
    progress.fail(`drain of node ${node.name} failed`);
    throw e;
  }
}

/** registerNodeCommands adds `node` and its operations. */
export function registerNodeCommands(program: Command, rt: Runtime): void {
  const node = examples(
    program.command("node").description("operate nodes: scheduling, drain, fencing, taints"),
    [
      "limiqctl node cordon node-1",
      "limiqctl node drain node-1",
      "limiqctl node taint node-1 gpu=true:NoSchedule",
    ],
  );
  examples(
    node
      .command("cordon")
      .description("stop placing new VMs on nodes")
      .argument("<nodes...>", "node names or ids")
      .action(async (refs: string[]) => {
        for (const ref of refs) {
          const n = await findNode(rt, ref);
          await rt.session().client(compute.NodeService).cordonNode({ id: n.id });
          rt.out(`node/${n.name} cordoned`);
        }
      }),
    ["limiqctl node cordon node-1 node-2"],
  );
  examples(
    node
      .command("uncordon")
      .description("allow new VMs on nodes again")
      .argument("<nodes...>", "node names or ids")
      .action(async (refs: string[]) => {
        for (const ref of refs) {
          const n = await findNode(rt, ref);
          await rt.session().client(compute.NodeService).uncordonNode({ id: n.id });
          rt.out(`node/${n.name} uncordoned`);
        }
      }),
    ["limiqctl node uncordon node-1"],
  );
  examples(
    node
      .command("drain")
      .description("cordon a node and move its VMs away, waiting until every move has ended")
      .argument("<node>", "node name or id")
      .option("--force", "stop the VMs that cannot move instead of failing")
      .option("--no-wait", "return once the node is cordoned and the drain under way")
      .action((ref: string, options: DrainOptions) => drain(rt, ref, options)),
    [
      "limiqctl node drain node-1",
      "limiqctl node drain node-1 --force",
      "limiqctl node drain node-1 --no-wait",
    ],
  );
  examples(
    node
      .command("fence")
      .description(
        "confirm that a node which cannot be fenced automatically is off, so HA restarts its VMs elsewhere",
      )
      .argument("<node>", "node name or id")
      .option("--comment <text>", "how the node was fenced")
      .action(async (ref: string, options: { comment?: string }) => {
        const n = await findNode(rt, ref);
        const answer = await rt
          .session()
          .client(compute.NodeService)
          .confirmNodeFenced({ id: n.id, comment: options.comment ?? "" });
        rt.out(`node/${n.name} fenced (${enumName(compute.NodePhase, answer.node?.status?.phase ?? 0)})`);
      }),
    ["limiqctl node fence node-3 --comment 'powered off at the PDU'"],
  );
  examples(
    node
      .command("taint")
      .description("add taints (KEY[=VALUE]:EFFECT) to a node, or remove them (KEY[:EFFECT]-)")
      .argument("<node>", "node name or id")
      .argument("<taints...>", "e.g. gpu=true:NoSchedule, or gpu- to remove")
      .action(async (ref: string, specs: string[]) => {
        const taints = specs.map(parseTaint);
        const n = await findNode(rt, ref);
        const client = rt.session().client(compute.NodeService);
        let now: Node | undefined = n;
        for (const t of taints) {
          now = t.remove
            ? (await client.removeTaint({ nodeId: n.id, key: t.key, effect: t.effect })).node
            : (
                await client.addTaint({
                  nodeId: n.id,
                  taint: { key: t.key, value: t.value, effect: t.effect },
                })
              ).node;
        }
        if (!now) throw new CliError("the server did not return the node", ExitCode.FAILURE);
        rt.out(`node/${n.name} tainted: ${now.spec?.taints.map(taintText).join(", ") || "<none>"}`);
      }),
    ["limiqctl node taint node-1 gpu=true:NoSchedule", "limiqctl node taint node-1 gpu-"],
  );
}
