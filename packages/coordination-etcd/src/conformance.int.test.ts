import { runCoordinatorConformance } from "@limiquantix/domain/conformance";
import { testEtcd } from "@limiquantix/testkit";
import { layout, uniqueRoot } from "../test/support";
import { type EtcdCoordinator, createEtcdCoordinator } from "./coordinator";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

runCoordinatorConformance("etcd", async () => {
  const server = await testEtcd();
  const root = uniqueRoot();
  const created: EtcdCoordinator[] = [];
  return {
    async create() {
      const c = await createEtcdCoordinator({
        endpoints: server.endpoints,
        leaseTtlMs: 2000,
        ...layout(root),
      });
      created.push(c);
      return c;
    },
    advanceTime: sleep,
    close: async () => {
      await Promise.all(created.map((c) => c.close()));
    },
  };
});
