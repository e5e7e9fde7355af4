import type { Clock } from "@limiquantix/domain";
import { MemoryRateLimiter, MemorySessionStore } from "@limiquantix/repo-memory";
import type { IdentityBackends } from "../../auth/access-setup";

/** memoryIdentity keeps sessions and login rate limits in this process (dev mode, and rate limits of one embedded replica). */
export function memoryIdentity(clock: Clock): IdentityBackends {
  return {
    sessions: new MemorySessionStore(clock),
    rateLimiter: ({ limit, windowMs }) => new MemoryRateLimiter({ limit, windowMs, clock }),
  };
}
