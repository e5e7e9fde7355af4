import { serviceIdentifier } from "./service-identifier";

/** IdGenerator makes identifiers for new resources. */
export interface IdGenerator {
  /** next returns a fresh identifier, never returned before. */
  next(): string;
}
/** IdGenerator is the service identifier of the IdGenerator port. */
export const IdGenerator = serviceIdentifier<IdGenerator>("IdGenerator");

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * uuidV7Generator makes RFC 9562 version-7 UUIDs: time-ordered, so ids sort in creation order,
 * with a counter that keeps ids made in the same millisecond strictly increasing.
 */
export function uuidV7Generator(now: () => number = Date.now): IdGenerator {
  let lastMs = -1;
  let seq = 0;
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
      const b = new Uint8Array(16);
      globalThis.crypto.getRandomValues(b);
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
