import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger";

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join("")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe("createLogger", () => {
  it("writes JSON lines with pino's standard fields and the server's name", () => {
    const out = capture();
    createLogger({ level: "info", format: "json" }, out.stream).info({ k: 1 }, "hello");
    const [line] = out.lines();
    expect(line).toMatchObject({ level: 30, name: "limiquantix-server", msg: "hello", k: 1 });
    expect(line!.pid).toBe(process.pid);
    expect(typeof line!.hostname).toBe("string");
  });
});
