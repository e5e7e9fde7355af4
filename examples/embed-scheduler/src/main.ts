// Embeds the scheduler: `npx -y pnpm@10 --filter @limiquantix/example-embed-scheduler start`.
import { vm } from "./cluster";
import { explain, formatCandidates, labCluster, place } from "./embed-scheduler";

const snapshot = labCluster();
const placement = place(snapshot, vm("web-1", { vcpus: 2, memoryMib: 4096 }));
console.log(`web-1 goes to ${placement.nodeName}; ranked candidates:`);
for (const line of formatCandidates(placement)) console.log(`  ${line}`);

const failure = explain(snapshot, vm("huge-1", { vcpus: 48, memoryMib: 262_144 }));
console.log(`\nhuge-1 does not fit: ${failure?.message}`);
for (const n of failure?.details.nodes ?? [])
  console.log(`  ${n.nodeName}: ${n.reasons.map((r) => `[${r.plugin}] ${r.reason}`).join("; ")}`);
