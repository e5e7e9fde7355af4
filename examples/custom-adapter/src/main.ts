// A Cache adapter of one's own in use: `npx -y pnpm@10 --filter @limiquantix/example-custom-adapter start`.
import { readThrough } from "@limiquantix/domain";
import { LruCache } from "./lru-cache";

const cache = new LruCache({ maxEntries: 2 });
let loads = 0;
const loadVm = async (id: string) => ({ id, vcpus: 2, loadedAt: ++loads });

for (const id of ["vm-1", "vm-2", "vm-1", "vm-3", "vm-2"]) {
  const vm = await readThrough(cache, `vm:${id}`, 60_000, () => loadVm(id));
  console.log(`${id}: ${vm.loadedAt === loads ? "loaded" : "from cache"} (load #${vm.loadedAt})`);
}
console.log(`${loads} loads, ${cache.evictions} evictions, ${cache.size} entries held (bound 2)`);
