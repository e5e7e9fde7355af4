import { afterEach, describe, expect, it } from "vitest";
import { currentCallSignal, installCallSignalSource } from "./call-signal";

describe("call signal source", () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  it("answers undefined until a host installs a source, then the source's signal", () => {
    const ac = new AbortController();
    let inCall = false;
    const previous = installCallSignalSource(() => (inCall ? ac.signal : undefined));
    restore = () => installCallSignalSource(previous);
    expect(currentCallSignal()).toBeUndefined();
    inCall = true;
    expect(currentCallSignal()).toBe(ac.signal);
  });
});
