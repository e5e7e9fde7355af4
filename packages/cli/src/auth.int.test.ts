import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliHarness } from "./testing/cli-harness";

describe("limiqctl signing in", () => {
  let h: CliHarness;
  beforeAll(async () => {
    h = await CliHarness.start(1);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("signs in with --password-stdin, keeps the session in a 0600 file, and whoami names the user", async () => {
    const out = await h.ok(["login", "--server", h.url, "-u", "admin", "--password-stdin"], {
      input: `${h.password}\n`,
    });
    expect(out).toMatch(
      /^Signed in to http:\/\/127\.0\.0\.1:\d+ as admin \(context "admin@127\.0\.0\.1:\d+"\)/,
    );
    expect(statSync(h.configFile).mode & 0o777).toBe(0o600);
    const config = parse(readFileSync(h.configFile, "utf8"));
    expect(config.contexts[0]).toMatchObject({ server: h.url, user: "admin" });
    expect(config.contexts[0].refreshToken).toEqual(expect.any(String));
    const me = await h.json<{ user: { username: string; role: string } }>(["whoami"]);
    expect(me.user).toMatchObject({ username: "admin", role: "ROLE_ADMIN" });
  });

  it("refuses a wrong password with exit code 3 and the server's message", async () => {
    const result = await h.run(["login", "--server", h.url, "-u", "admin", "--password-stdin"], {
      input: "not-the-password-1\n",
      env: { LIMIQCTL_CONFIG: join(h.home, "wrong.yaml") },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: unauthenticated: /);
    expect(result.stderr).not.toContain("\u001b["); // no colour: standard error is not a terminal
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("without a session says to sign in (exit code 3)", async () => {
    const result = await h.run(["get", "vms"], { env: { LIMIQCTL_CONFIG: join(h.home, "none.yaml") } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("limiqctl login");
  });

  it("uses a service account's token from LIMIQCTL_SERVER and LIMIQCTL_TOKEN, with its role's limits", async () => {
    const created = await h.json<{ token: string; serviceAccount: { name: string } }>([
      "create",
      "serviceaccount",
      "ci-reader",
      "--set",
      "role=ROLE_VIEWER",
    ]);
    expect(created.serviceAccount.name).toBe("ci-reader");
    const env = {
      LIMIQCTL_CONFIG: join(h.home, "sa.yaml"),
      LIMIQCTL_SERVER: h.url,
      LIMIQCTL_TOKEN: created.token,
    };
    const nodes = await h.run(["get", "nodes", "-o", "name"], { env });
    expect(nodes).toMatchObject({ code: 0, stdout: "node/sim-1\n" });
    const refused = await h.run(["create", "project", "not-allowed"], { env });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^error: permission_denied: /);
    // --token at login keeps the token in a context of its own.
    const login = await h.run(
      ["login", "--server", h.url, "--token", created.token, "--context-name", "ci"],
      {
        env: { LIMIQCTL_CONFIG: join(h.home, "sa.yaml") },
      },
    );
    expect(login.code).toBe(0);
    const again = await h.run(["get", "nodes", "-o", "name"], {
      env: { LIMIQCTL_CONFIG: join(h.home, "sa.yaml") },
    });
    expect(again.stdout).toBe("node/sim-1\n");
  });

  it("renews an expired access token with the refresh token and keeps the new tokens", async () => {
    const before = parse(readFileSync(h.configFile, "utf8"));
    const context = before.contexts.find((c: { name: string }) => c.name === before.currentContext);
    context.accessTokenExpireTime = new Date(Date.now() - 60_000).toISOString();
    writeFileSync(h.configFile, stringify(before), { mode: 0o600 });
    await h.ok(["whoami"]);
    const after = parse(readFileSync(h.configFile, "utf8"));
    const renewed = after.contexts.find((c: { name: string }) => c.name === after.currentContext);
    expect(renewed.refreshToken).not.toBe(context.refreshToken);
    expect(Date.parse(renewed.accessTokenExpireTime)).toBeGreaterThan(Date.now());
  });

  it("lists contexts, switches between them, and forgets the tokens at logout", async () => {
    const env = { LIMIQCTL_CONFIG: join(h.home, "two.yaml") };
    const input = `${h.password}\n`;
    await h.ok(["login", "--server", h.url, "-u", "admin", "--password-stdin", "--context-name", "one"], {
      input,
      env,
    });
    await h.ok(["login", "--server", h.url, "-u", "admin", "--password-stdin", "--context-name", "two"], {
      input,
      env,
    });
    expect(await h.ok(["config", "get-contexts", "-o", "name"], { env })).toBe("one\ntwo\n");
    expect(await h.ok(["config", "current-context"], { env })).toBe("two\n");
    expect(await h.ok(["config", "use-context", "one"], { env })).toBe('Switched to context "one"\n');
    const table = await h.ok(["config", "get-contexts"], { env });
    expect(table.split("\n")[1]).toMatch(/^\*\s+one\s/);
    expect(await h.ok(["logout"], { env })).toMatch(/^Signed out of .* \(context "one"\)/);
    const refused = await h.run(["whoami"], { env });
    expect(refused.code).toBe(3);
    expect(await h.ok(["whoami", "-o", "name", "--context", "two"], { env })).toBe("user/admin\n");
    const unknown = await h.run(["config", "use-context", "three"], { env });
    expect(unknown.code).toBe(2);
  });

  it("prompts for the password in a terminal without echoing it", async () => {
    const env = { LIMIQCTL_CONFIG: join(h.home, "pty.yaml") };
    const session = h.pty(["login", "--server", h.url, "-u", "admin"], env);
    await session.waitFor(/Password for admin: /);
    session.write(`${h.password}\r`);
    await session.waitFor(/Signed in to /);
    expect(await session.exited).toBe(0);
    expect(session.stdout).not.toContain(h.password);
    const me = await h.run(["whoami", "-o", "name"], { env });
    expect(me.stdout).toBe("user/admin\n");
  });
});
