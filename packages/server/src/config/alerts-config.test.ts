import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./load";
import { formatConfig } from "./print";

function yamlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "lqx-config-"));
  const file = join(dir, "config.yaml");
  writeFileSync(file, text);
  return file;
}

describe("alerts configuration", () => {
  it("evaluates every 15 s and posts to no webhook by default", () => {
    expect(loadConfig({}, {}).config.alerts).toEqual({ evaluationIntervalSec: 15, webhooks: [] });
  });

  it("reads webhooks with their defaults", () => {
    const file = yamlFile("alerts:\n  webhooks:\n    - url: https://hooks.example.com/lqx\n");
    expect(loadConfig({ config: file }, {}).config.alerts.webhooks).toEqual([
      { url: "https://hooks.example.com/lqx", timeoutMs: 5000, maxAttempts: 4 },
    ]);
  });

  it("refuses bad values, naming the key", () => {
    expect(() => loadConfig({}, { LQX_ALERTS_EVALUATION_INTERVAL_SEC: "0" })).toThrow(
      /alerts\.evaluationIntervalSec must be at least 1/,
    );
    const ftp = yamlFile("alerts:\n  webhooks:\n    - url: ftp://hooks.example.com/x\n");
    expect(() => loadConfig({ config: ftp }, {})).toThrow(/alerts\.webhooks\[0\]\.url/);
    const short = yamlFile("alerts:\n  webhooks:\n    - url: https://h.example/x\n      secret: short\n");
    expect(() => loadConfig({ config: short }, {})).toThrow(/alerts\.webhooks\[0\]\.secret/);
  });

  it("masks webhook secrets and URL credentials in config print", () => {
    const file = yamlFile(
      "alerts:\n  webhooks:\n    - url: https://bot:pa55word@hooks.example.com/lqx\n      secret: a-secret-long-enough-1\n",
    );
    const text = formatConfig(loadConfig({ config: file }, {}).config);
    expect(text).not.toContain("a-secret-long-enough-1");
    expect(text).not.toContain("pa55word");
    expect(text).toContain("https://****@hooks.example.com/lqx");
  });
});
