import { serviceIdentifier } from "./service-identifier";

/** IdGenerator makes identifiers for new resources. */
export interface IdGenerator {
  /** next returns a fresh identifier, never returned before. */
  next(): string;
}
/** IdGenerator is the service identifier of the IdGenerator port. */
export const IdGenerator = serviceIdentifier<IdGenerator>("IdGenerator");

/** How many ids' random bytes are drawn at once. */
const POOLED_IDS = 256;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * uuidV7Generator makes RFC 9562 version-7 UUIDs: time-ordered, so ids sort in creation order,
 * with a counter that keeps ids made in the same millisecond strictly increasing.
 */
export function uuidV7Generator(now: () => number = Date.now): IdGenerator {
  let lastMs = -1;
  let seq = 0;
  // Random bytes are drawn for many ids at once (as Node's randomUUID does): one draw per id cost
  // a call into the system's generator every time, about 1 % of a create's CPU.
  let pool = new Uint8Array(0);
  let used = 0;
  return {
    next(): string {
      let ms = now();
      if (ms <= lastMs) {
        ms = lastMs;
        seq++;
        if (seq > 0xfff) {
          ms = lastMs + 1;
          seq = 0;
        }
      } else seq = 0;
      lastMs = ms;
      if (used + 16 > pool.length) {
        pool = globalThis.crypto.getRandomValues(new Uint8Array(16 * POOLED_IDS));
        used = 0;
      }
      const b = pool.slice(used, used + 16);
      used += 16;
      const hi = Math.floor(ms / 2 ** 16);
      const lo = ms % 2 ** 16;
      b[0] = (hi >>> 24) & 255;
      b[1] = (hi >>> 16) & 255;
      b[2] = (hi >>> 8) & 255;
      b[3] = hi & 255;
      b[4] = (lo >>> 8) & 255;
      b[5] = lo & 255;
      b[6] = 0x70 | ((seq >>> 8) & 0x0f);
      b[7] = seq & 255;
      b[8] = 0x80 | (b[8]! & 0x3f);
      const h = Array.from(b, (x) => HEX[x]).join("");
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    },
  };
}
