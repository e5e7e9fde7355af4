// Publishes events from a separate process: argv = url, keyPrefix, count.
import { createRedisAdapters } from "../src/adapters";

const [url, keyPrefix, count] = process.argv.slice(2);
const adapters = await createRedisAdapters({ url: url!, keyPrefix: keyPrefix! });
for (let i = 0; i < Number(count); i++) {
  await adapters.eventBus.publish("node-metrics", {
    id: `m${i}`,
    type: "METRICS",
    nodeId: "n1",
    occurredAt: new Date().toISOString(),
    cpuPercent: i,
    memoryUsedMib: 1,
  });
}
await adapters.close();
