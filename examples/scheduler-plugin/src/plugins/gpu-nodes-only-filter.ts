import { SKIP, defineFilter } from "@limiquantix/scheduler";

/** GPU_LABEL is the label a VM sets to ask for a GPU (`gpu=a100`, or `gpu=any`) and a node sets to offer one. */
export const GPU_LABEL = "gpu";

/**
 * gpuNodesOnly is a filter plugin: a VM labelled `gpu=<model>` may only go to a node labelled
 * with that GPU model (`gpu=any`: any GPU node). VMs without the label are not its concern, so
 * `prepare` returns SKIP and the filter costs them nothing. Its rejections are typed like a node
 * selector's and bind running VMs too, so DRS and drain move a GPU VM off a node that lost its GPU.
 */
export const gpuNodesOnly = defineFilter<string>({
  name: "gpu-nodes-only",
  rejects: { kind: "node-selector", bindsRunning: true },
  prepare: (ctx) => ctx.vm.labels[GPU_LABEL] ?? SKIP,
  filter: (node, _ctx, model) => {
    const offered = node.labels[GPU_LABEL];
    if (offered === undefined) return "no GPU";
    if (model !== "any" && offered !== model) return `GPU ${offered}, not ${model}`;
    return undefined;
  },
});
