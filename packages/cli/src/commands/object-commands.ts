import { readFileSync } from "node:fs";
import type { Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { events } from "@limiquantix/api";
import type { Command } from "commander";
import { stringify } from "yaml";
import { CliError, ExitCode, usageError } from "../exit-codes";
import { jsonOf, parseOutputFormat, serialize } from "../output/printer";
import { renderTable } from "../output/table";
import { enumName } from "../resources/kind";
import { findKind, kindOrFail } from "../resources/registry";
import { type Manifest, parseManifests, requestOf } from "../resources/manifest";
import { resolve } from "../resources/resolve";
import { examples, type Runtime, type ScopeOptions } from "../runtime";
import { passwordFromStdin, readAllStdin } from "../ui/password";
import { kindAndNames } from "./get-command";
import { timestampDate } from "@bufbuild/protobuf/wkt";

async function describe(
  rt: Runtime,
  first: string,
  rest: string[],
  options: ScopeOptions & { vm?: string },
): Promise<void> {
  const { kind, names } = kindAndNames(first, rest);
  if (names.length === 0) throw usageError(`name the ${kind.name} to describe`);
  const query = await rt.query(options);
  const c = rt.colors();
  for (const [i, name] of names.entries()) {
    const item = await resolve(rt.session(), kind, name, query);
    // Kind, name and id head the page; the rest of the object follows as YAML.
    const rest = { ...(jsonOf(kind.schema, item) as Record<string, unknown>) };
    delete rest.id;
    delete rest.name;
    if (i > 0) rt.out("");
    rt.out(
      [
        `${c.bold("Kind:")}   ${kind.kind}`,
        `${c.bold("Name:")}   ${kind.nameOf(item)}`,
        `${c.bold("ID:")}     ${kind.idOf(item)}`,
      ].join("\n"),
    );
    rt.out(stringify(rest).trimEnd());
    // The latest events about the object, when the server keeps any.
    const recent = await rt
      .session()
      .client(events.EventService)
      .listEvents({ resourceId: kind.idOf(item), pageSize: 10 })
      .then((r) => r.events)
      .catch(() => []);
    if (recent.length > 0) {
      rt.out(`${c.bold("Events:")}`);
      rt.out(
        renderTable(
          ["  TIME", "SEVERITY", "REASON", "MESSAGE"],
          recent.map((e) => [
            `  ${e.time ? timestampDate(e.time).toISOString() : ""}`,
            enumName(events.Severity, e.severity),
            e.reason,
            e.message,
          ]),
        ).trimEnd(),
      );
    }
  }
}

interface CreateOptions extends ScopeOptions {
  filename?: string[];
  output?: string;
  set?: string[];
  passwordStdin?: boolean;
}

/** setValue writes `a.b.c=value` into an object, the value read as YAML (numbers, booleans, lists). */
function setValue(target: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf("=");
  if (eq <= 0) throw usageError(`--set ${assignment}: expected PATH=VALUE, e.g. spec.vcpus=2`);
  const path = assignment.slice(0, eq).split(".");
  const raw = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = raw === "" ? "" : (parseManifestValue(raw) as unknown);
  } catch {
    value = raw;
  }
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function parseManifestValue(raw: string): unknown {
  const doc = parseManifests(`v: ${raw}`, "--set")[0]!;
  return doc.body.v;
}

const NAME_FIELD: Record<string, string> = { user: "username" };

async function create(
  rt: Runtime,
  type: string | undefined,
  name: string | undefined,
  options: CreateOptions,
): Promise<void> {
  const format = options.output ? parseOutputFormat(options.output) : undefined;
  const given = type ? kindOrFail(type) : undefined;
  const manifests: Manifest[] = [];
  for (const file of options.filename ?? []) {
    let text: string;
    try {
      text = file === "-" ? await readAllStdin(rt.terminal) : readFileSync(file, "utf8");
    } catch (e) {
      throw usageError(`-f ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    manifests.push(...parseManifests(text, file === "-" ? "standard input" : file));
  }
  if (manifests.length === 0) {
    if (!given)
      throw usageError("name a type and a name (limiqctl create project web), or give a file with -f");
    if (!name) throw usageError(`name the ${given.name} to create, or give a file with -f`);
    manifests.push({ where: "the command line", body: {} });
  }
  const jobs = manifests.map((m) => {
    const kind = m.kind ? findKind(m.kind) : given;
    if (!kind)
      throw usageError(
        `${m.where}: say what it is: add \`kind: VirtualMachine\` (or another type) or name the type: limiqctl create vm -f FILE`,
      );
    if (given && kind !== given) throw usageError(`${m.where}: kind ${m.kind} is not a ${given.name}`);
    if (!kind.create) throw usageError(`${kind.plural} cannot be created with limiqctl create`);
    const body: Record<string, unknown> = { ...m.body };
    if (name) body[NAME_FIELD[kind.name] ?? "name"] = name;
    for (const s of options.set ?? []) setValue(body, s);
    return { kind, manifest: { ...m, body } as Manifest };
  });
  const password = options.passwordStdin ? await passwordFromStdin(rt.terminal) : undefined;
  const projectRef = options.project ?? rt.session().context()?.project;
  // Every request is checked before the first is sent; the project is looked up when the first
  // object that needs one is sent (the same file may create the project first).
  const requests = jobs.map(({ kind, manifest }) => {
    const body = { ...manifest.body };
    if (password !== undefined) body.password = password;
    const request = requestOf(kind.create!.schema, { ...manifest, body: body as Manifest["body"] });
    const wantsProject =
      kind.create!.schema.fields.some((f) => f.localName === "projectId") &&
      !(request as Message & { projectId?: string }).projectId;
    return { kind, request, wantsProject };
  });
  let projectId: string | undefined;
  const answers: ReturnType<typeof jsonOf>[] = [];
  for (const { kind, request, wantsProject } of requests) {
    if (wantsProject && projectRef) {
      projectId ??= await rt.projectId({ project: projectRef });
      (request as Message & { projectId: string }).projectId = projectId ?? "";
    }
    const created = await kind.create!.call(rt.session(), request);
    if (format === "json" || format === "yaml") {
      answers.push(jsonOf(created.responseSchema, created.response));
      continue;
    }
    rt.out(`${kind.name}/${kind.nameOf(created.object)}${format === "name" ? "" : " created"}`);
    for (const [key, value] of Object.entries(created.secrets ?? {})) {
      rt.out(`${key}: ${value}`);
      rt.err(`The ${key} is shown only this once: keep it now.`);
    }
  }
  if (format === "json" || format === "yaml")
    rt.out(serialize(answers.length === 1 ? answers[0]! : { items: answers }, format));
}

interface DeleteOptions extends ScopeOptions {
  force?: boolean;
  detachVolumes?: boolean;
  ignoreNotFound?: boolean;
  vm?: string;
}

async function remove(rt: Runtime, first: string, rest: string[], options: DeleteOptions): Promise<void> {
  const { kind, names } = kindAndNames(first, rest);
  if (!kind.remove) throw usageError(`${kind.plural} cannot be deleted`);
  if (names.length === 0) throw usageError(`name the ${kind.plural} to delete`);
  const query = await rt.query(options);
  for (const name of names) {
    let item: Message;
    try {
      item = await resolve(rt.session(), kind, name, query);
    } catch (e) {
      if (options.ignoreNotFound && e instanceof CliError && e.exitCode === ExitCode.NOT_FOUND) continue;
      throw e;
    }
    try {
      await kind.remove(rt.session(), item, {
        force: options.force ?? false,
        detachVolumes: options.detachVolumes ?? false,
      });
    } catch (e) {
      if (options.ignoreNotFound && ConnectError.from(e).code === Code.NotFound) continue;
      throw e;
    }
    rt.out(`${kind.name}/${kind.nameOf(item)} deleted`);
  }
}

/** creatableKinds lists the types `create` takes. */
function creatableKinds(): string {
  return [
    "vms",
    "nodes",
    "clusters",
    "projects",
    "pools",
    "volumes",
    "images",
    "networks",
    "securitygroups",
    "snapshots",
    "users",
    "serviceaccounts",
    "jointokens",
    "alertrules",
  ].join(", ");
}

/** registerObjectCommands adds describe, create and delete. */
export function registerObjectCommands(program: Command, rt: Runtime): void {
  examples(
    program
      .command("describe")
      .description("show everything about objects, with their latest events")
      .argument("<type>", "the type of object, or TYPE/NAME")
      .argument("[names...]", "names or ids")
      .option("--project <project>", "the project to look the name up in")
      .option("-A, --all-projects", "look the name up across projects")
      .option("--vm <vm>", "the VM of a snapshot")
      .action((type: string, names: string[], options: ScopeOptions & { vm?: string }) =>
        describe(rt, type, names, options),
      ),
    [
      "limiqctl describe vm web",
      "limiqctl describe node/node-1",
      "limiqctl describe snapshot before-upgrade --vm web",
    ],
  );
  examples(
    program
      .command("create")
      .description(
        `create objects from YAML or JSON files in the API's JSON shapes (the Create…Request messages), or by name (types: ${creatableKinds()})`,
      )
      .argument("[type]", "the type to create (optional when every object of the files has a kind)")
      .argument("[name]", "the new object's name (with no file, or to override the files')")
      .option("-f, --filename <file...>", "YAML or JSON files to create from; - reads standard input")
      .option("--set <path=value...>", "set a field, e.g. --set spec.vcpus=2 (values read as YAML)")
      .option("--project <project>", "the project of project-scoped objects that name none")
      .option("--password-stdin", "read a new user's password from standard input")
      .option("-o, --output <format>", "json|yaml print the server's whole answer; name prints TYPE/NAME")
      .action((type: string | undefined, name: string | undefined, options: CreateOptions) =>
        create(rt, type, name, options),
      ),
    [
      "limiqctl create project web-team",
      "limiqctl create -f vm.yaml            # a file with `kind: VirtualMachine` and a CreateVMRequest",
      "limiqctl create vm -f vm.json --project web-team",
      "limiqctl create network lan --set spec.type=NETWORK_TYPE_OVERLAY --set spec.cidr=10.20.0.0/24",
      "limiqctl create jointoken rack-3 --set maxUses=4 -o json",
      'echo "$PASS" | limiqctl create user alice --set role=ROLE_OPERATOR --password-stdin',
    ],
  );
  examples(
    program
      .command("delete")
      .description("delete objects by name or id")
      .argument("<type>", "the type of object, or TYPE/NAME")
      .argument("[names...]", "names or ids")
      .option("--project <project>", "the project to look names up in")
      .option("--vm <vm>", "the VM of the snapshots to delete")
      .option("--force", "delete a running VM without stopping it first")
      .option("--detach-volumes", "detach a VM's volumes instead of refusing")
      .option("--ignore-not-found", "succeed when an object does not exist")
      .action((type: string, names: string[], options: DeleteOptions) => remove(rt, type, names, options)),
    [
      "limiqctl delete vm web --detach-volumes",
      "limiqctl delete volume/scratch volume/tmp",
      "limiqctl delete snapshot before-upgrade --vm web",
    ],
  );
}
