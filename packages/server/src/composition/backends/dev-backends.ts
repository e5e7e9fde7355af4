import { Clock, IdGenerator, systemClock, uuidV7Generator } from "@limiquantix/domain";
import { bindMemoryAdapters, createMemoryAdapters } from "@limiquantix/repo-memory";
import type { Backends } from "../backends";
import { memoryIdentity } from "./memory-identity";
import { portModule } from "./port-module";

/** openDevBackends keeps everything in process memory: nothing persists. */
export async function openDevBackends(): Promise<Backends> {
  const clock = systemClock;
  const ids = uuidV7Generator();
  const m = createMemoryAdapters({ clock, ids });
  return {
    mode: "dev",
    components: [{ name: "database", address: "memory", check: async () => "in-memory (nothing persists)" }],
    modules: [
      portModule((b) => bindMemoryAdapters(b, m)),
      portModule((b) => {
        b.bind(Clock, clock);
        b.bind(IdGenerator, ids);
      }),
    ],
    identity: memoryIdentity(clock),
    close: () => m.close(),
  };
}
