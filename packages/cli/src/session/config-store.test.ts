import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configPath, readConfig, upsertContext, writeConfig } from "./config-store";

describe("the configuration file", () => {
  const dir = () => mkdtempSync(join(tmpdir(), "limiqctl-config-"));

  it("lives where LIMIQCTL_CONFIG, XDG_CONFIG_HOME or HOME say", () => {
    expect(configPath({ LIMIQCTL_CONFIG: "/x/c.yaml", HOME: "/home/a" })).toBe("/x/c.yaml");
    expect(configPath({ XDG_CONFIG_HOME: "/xdg", HOME: "/home/a" })).toBe("/xdg/limiqctl/config.yaml");
    expect(configPath({ HOME: "/home/a" })).toBe("/home/a/.config/limiqctl/config.yaml");
  });

  it("is written for its owner only, and read back", () => {
    const path = join(dir(), "sub", "config.yaml");
    const config = upsertContext({ contexts: [] }, { name: "lab", server: "http://lab:8080", token: "t" });
    writeConfig(path, { ...config, currentContext: "lab" });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
    expect(readConfig(path)).toEqual({
      currentContext: "lab",
      contexts: [{ name: "lab", server: "http://lab:8080", token: "t" }],
    });
    expect(readConfig(join(dir(), "missing.yaml"))).toEqual({ contexts: [] });
  });

  it("refuses a damaged file, naming the field, with exit code 2", () => {
    const path = join(dir(), "config.yaml");
    writeFileSync(path, "contexts:\n  - name: lab\n    server: 8080\n");
    expect(() => readConfig(path)).toThrow(/contexts\[0\]\.server must be a string/);
    writeFileSync(path, "contexts: [\n");
    expect(() => readConfig(path)).toThrow(/not valid YAML/);
  });
});
