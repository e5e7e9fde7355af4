import { timestampDate } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { iam } from "@limiquantix/api";
import type { Command } from "commander";
import { CliError, ExitCode, usageError } from "../exit-codes";
import { jsonOf, parseOutputFormat, serialize } from "../output/printer";
import { renderTable } from "../output/table";
import { enumName } from "../resources/kind";
import { type Context, readConfig, upsertContext } from "../session/config-store";
import { normalizeServer, transportFor } from "../session/session";
import { passwordFromStdin, promptHidden, promptLine } from "../ui/password";
import { examples, type Runtime } from "../runtime";

/** contextNameFor names a context after its user and server: `admin@127.0.0.1:8080`. */
export function contextNameFor(user: string, server: string): string {
  return `${user}@${new URL(server).host}`;
}

const iso = (t: Parameters<typeof timestampDate>[0] | undefined) =>
  t ? timestampDate(t).toISOString() : undefined;

interface LoginOptions {
  username?: string;
  passwordStdin?: boolean;
  contextName?: string;
  project?: string;
}

async function login(rt: Runtime, options: LoginOptions): Promise<void> {
  const session = rt.session();
  const globals = rt.globals();
  const previous = session.context();
  const given = globals.server ?? rt.terminal.env.LIMIQCTL_SERVER;
  const server = given ? normalizeServer(given) : previous?.server;
  if (!server)
    throw usageError("--server is needed the first time: limiqctl login --server http://HOST:8080");
  const auth = createClient(iam.AuthService, transportFor(server));
  let context: Context;
  const token = globals.token ?? rt.terminal.env.LIMIQCTL_TOKEN;
  if (token && !options.username && !options.passwordStdin) {
    // A service account's token: check it works, and keep it as it is (it is not refreshed).
    const me = await createClient(
      iam.AuthService,
      transportFor(server, [
        (next) => (req) => {
          req.header.set("authorization", `Bearer ${token}`);
          return next(req);
        },
      ]),
    ).whoAmI({});
    const user = me.user?.username || "service-account";
    context = { name: options.contextName ?? contextNameFor(user, server), server, user, token };
  } else {
    const username =
      options.username ??
      (previous?.server === server && previous.user ? previous.user : undefined) ??
      (await promptLine(rt.terminal, "Username: "));
    if (!username) throw usageError("no username: pass -u USER");
    const password = options.passwordStdin
      ? await passwordFromStdin(rt.terminal)
      : await promptHidden(rt.terminal, `Password for ${username}: `);
    const answer = await auth.login({ username, password });
    context = {
      name: options.contextName ?? contextNameFor(username, server),
      server,
      user: username,
      accessToken: answer.accessToken,
      refreshToken: answer.refreshToken,
      ...(iso(answer.accessTokenExpireTime)
        ? { accessTokenExpireTime: iso(answer.accessTokenExpireTime) }
        : {}),
      ...(iso(answer.refreshTokenExpireTime)
        ? { refreshTokenExpireTime: iso(answer.refreshTokenExpireTime) }
        : {}),
    };
  }
  const kept = readConfig(session.configFile).contexts.find((c) => c.name === context.name);
  const project = options.project ?? kept?.project;
  if (project) context = { ...context, project };
  session.saveConfig({
    ...upsertContext(readConfig(session.configFile), context),
    currentContext: context.name,
  });
  rt.out(`Signed in to ${server} as ${context.user} (context "${context.name}")`);
}

async function logout(rt: Runtime, options: { all?: boolean }): Promise<void> {
  const session = rt.session();
  const config = readConfig(session.configFile);
  const names = options.all ? config.contexts.map((c) => c.name) : [session.contextName()].filter(Boolean);
  if (names.length === 0) throw new CliError("not signed in: there is no current context", ExitCode.AUTH);
  let contexts = config.contexts;
  for (const name of names) {
    const ctx = contexts.find((c) => c.name === name);
    if (!ctx) continue;
    if (ctx.refreshToken) {
      // End the session on the server too; an unreachable server does not keep the tokens here.
      await createClient(iam.AuthService, transportFor(ctx.server))
        .logout({ refreshToken: ctx.refreshToken })
        .catch(() => undefined);
    }
    const signedOut: Context = {
      name: ctx.name,
      server: ctx.server,
      ...(ctx.user ? { user: ctx.user } : {}),
      ...(ctx.project ? { project: ctx.project } : {}),
    };
    contexts = contexts.map((c) => (c.name === name ? signedOut : c));
    rt.out(`Signed out of ${ctx.server} (context "${name}")`);
  }
  session.saveConfig({ ...config, contexts });
}

async function whoami(rt: Runtime, options: { output?: string }): Promise<void> {
  const format = parseOutputFormat(options.output);
  const session = rt.session();
  const me = await session.client(iam.AuthService).whoAmI({});
  if (format === "json" || format === "yaml") {
    rt.out(serialize(jsonOf(iam.WhoAmIResponseSchema, me), format));
    return;
  }
  const user = me.user;
  if (format === "name") {
    rt.out(`user/${user?.username ?? ""}`);
    return;
  }
  const memberships = (user?.projectMemberships ?? []).map(
    (m) => `${m.projectId}:${enumName(iam.Role, m.role)}`,
  );
  rt.out(
    [
      `user:     ${user?.username ?? "?"}`,
      `role:     ${enumName(iam.Role, user?.role ?? 0)}`,
      ...(memberships.length > 0 ? [`projects: ${memberships.join(", ")}`] : []),
      `server:   ${session.serverUrl()}`,
      `context:  ${session.contextName() ?? "<none>"}`,
    ].join("\n"),
  );
}

/** registerAuthCommands adds login, logout, whoami and config. */
export function registerAuthCommands(program: Command, rt: Runtime): void {
  examples(
    program
      .command("login")
      .description("sign in to a server and keep the session in a context of the configuration file")
      .option("-u, --username <user>", "the user to sign in as (prompted for on a terminal)")
      .option("--password-stdin", "read the password from standard input instead of prompting")
      .option("--context-name <name>", "name the context (default USER@HOST:PORT)")
      .option("--project <project>", "the project commands of this context use by default")
      .action((options: LoginOptions) => login(rt, options)),
    [
      "limiqctl login --server http://127.0.0.1:8080 -u admin",
      "cat .limiquantix/initial-admin-password | limiqctl login --server http://127.0.0.1:8080 -u admin --password-stdin",
      'limiqctl login --server https://lqx.example.com --token "$CI_TOKEN"   # a service account',
    ],
  );
  examples(
    program
      .command("logout")
      .description("end the session of the current context and forget its tokens")
      .option("--all", "sign out of every context")
      .action((options: { all?: boolean }) => logout(rt, options)),
    ["limiqctl logout", "limiqctl logout --all"],
  );
  examples(
    program
      .command("whoami")
      .description("show who the current credentials belong to")
      .option("-o, --output <format>", "table|json|yaml|name")
      .action((options: { output?: string }) => whoami(rt, options)),
    ["limiqctl whoami", "limiqctl whoami -o json"],
  );

  const config = examples(
    program.command("config").description("show and choose the contexts of the configuration file"),
    ["limiqctl config get-contexts", "limiqctl config use-context admin@lab:8080"],
  );
  examples(
    config
      .command("get-contexts")
      .description("list the contexts (* marks the current one)")
      .option("-o, --output <format>", "table|name")
      .action((options: { output?: string }) => {
        const session = rt.session();
        const file = session.config();
        const current = session.contextName();
        if (parseOutputFormat(options.output) === "name") {
          rt.out(file.contexts.map((c) => c.name).join("\n"));
          return;
        }
        rt.out(
          renderTable(
            ["CURRENT", "NAME", "SERVER", "USER", "PROJECT", "CREDENTIALS"],
            file.contexts.map((c) => [
              c.name === current ? "*" : "",
              c.name,
              c.server,
              c.user ?? "",
              c.project ?? "",
              c.token ? "token" : c.refreshToken ? "session" : "none",
            ]),
          ),
        );
      }),
    ["limiqctl config get-contexts"],
  );
  examples(
    config
      .command("use-context")
      .argument("<name>", "the context to make current")
      .description("make a context the current one")
      .action((name: string) => {
        const session = rt.session();
        const file = session.config();
        if (!file.contexts.some((c) => c.name === name))
          throw usageError(
            `no context named "${name}"; there are: ${file.contexts.map((c) => c.name).join(", ") || "none"}`,
          );
        session.saveConfig({ ...file, currentContext: name });
        rt.out(`Switched to context "${name}"`);
      }),
    ["limiqctl config use-context admin@lab:8080"],
  );
  examples(
    config
      .command("current-context")
      .description("print the current context's name")
      .action(() => {
        const name = rt.session().contextName();
        if (!name) throw new CliError("there is no current context: run `limiqctl login`", ExitCode.AUTH);
        rt.out(name);
      }),
    ["limiqctl config current-context"],
  );
  examples(
    config
      .command("set-context")
      .argument("[name]", "the context to change (default: the current one)")
      .description("change a context's default project or server")
      .option("--project <project>", "the project commands use by default (empty to clear)")
      .action((name: string | undefined, options: { project?: string }) => {
        const session = rt.session();
        const file = session.config();
        const target = name ?? session.contextName();
        const ctx = file.contexts.find((c) => c.name === target);
        if (!ctx) throw usageError(`no context named "${target ?? ""}"`);
        const next: Context = { ...ctx, project: options.project || undefined };
        session.saveConfig(upsertContext(file, next));
        rt.out(`Context "${ctx.name}" changed`);
      }),
    ["limiqctl config set-context --project web-team"],
  );
  examples(
    config
      .command("delete-context")
      .argument("<name>", "the context to remove")
      .description("remove a context (sign out first to end its session on the server)")
      .action((name: string) => {
        const session = rt.session();
        const file = session.config();
        if (!file.contexts.some((c) => c.name === name)) throw usageError(`no context named "${name}"`);
        const contexts = file.contexts.filter((c) => c.name !== name);
        session.saveConfig({
          contexts,
          ...(file.currentContext && file.currentContext !== name
            ? { currentContext: file.currentContext }
            : {}),
        });
        rt.out(`Deleted context "${name}"`);
      }),
    ["limiqctl config delete-context old-lab"],
  );
  examples(
    config
      .command("path")
      .description("print where the configuration file is")
      .action(() => rt.out(rt.session().configFile)),
    ["limiqctl config path"],
  );
}
