import { afterEach, describe, expect, it } from "vitest";
import {
  currentCallAttribution,
  currentCallSignal,
  installCallAttributionSource,
  installCallSignalSource,
} from "./call-signal";

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

describe("call attribution source", () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  it("answers undefined until a host installs a source, then the source's attribution", () => {
    let inCall = false;
    const previous = installCallAttributionSource(() =>
      inCall ? { requestId: "req-1", principal: "alice" } : undefined,
    );
    restore = () => installCallAttributionSource(previous);
    expect(currentCallAttribution()).toBeUndefined();
    inCall = true;
    expect(currentCallAttribution()).toEqual({ requestId: "req-1", principal: "alice" });
  });

  it("returns the previous source, so a host can put it back", () => {
    const first = () => ({ requestId: "first" });
    const before = installCallAttributionSource(first);
    restore = () => installCallAttributionSource(before);
    expect(installCallAttributionSource(() => undefined)).toBe(first);
  });
});
