import { createRequire } from "node:module";
import type Forge from "node-forge";

let lib: typeof Forge | undefined;

/**
 * forgeLib loads node-forge on first use, so importing the server does not load it: only a
 * server that issues or requests node certificates does.
 */
export function forgeLib(): typeof Forge {
  lib ??= createRequire(import.meta.url)("node-forge") as typeof Forge;
  return lib;
}
