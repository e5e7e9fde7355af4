import type { Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Command } from "commander";
import { usageError } from "../exit-codes";
import { stringify } from "yaml";
import {
  formatItems,
  jsonOf,
  type OutputFormat,
  parseOutputFormat,
  serialize,
  tableColumns,
  tableRow,
} from "../output/printer";
import { renderTable } from "../output/table";
import type { ListQuery, ResourceKind, WatchChange } from "../resources/kind";
import { loadNames } from "../resources/names";
import { KINDS, kindOrFail, splitRef } from "../resources/registry";
import { resolve } from "../resources/resolve";
import { examples, type FilterOptions, type Runtime } from "../runtime";

/** GetOptions are the flags of `get`. */
export interface GetOptions extends FilterOptions {
  output?: string;
  watch?: boolean;
}

/** kindAndNames reads `get vm web db` and `get vm/web vm/db` alike. */
export function kindAndNames(
  first: string,
  rest: readonly string[],
): { kind: ResourceKind; names: string[] } {
  const head = splitRef(first);
  if (head.kind) {
    const kind = kindOrFail(head.kind);
    const names = [head.name];
    for (const r of rest) {
      const ref = splitRef(r);
      if (ref.kind && kindOrFail(ref.kind) !== kind)
        throw usageError(`${r}: name objects of one type at a time (here ${kind.plural})`);
      names.push(ref.name);
    }
    return { kind, names };
  }
  return { kind: kindOrFail(first), names: rest.map((r) => splitRef(r).name) };
}

async function getObjects(rt: Runtime, kind: ResourceKind, names: readonly string[], query: ListQuery) {
  if (names.length === 0) return kind.list(rt.session(), query);
  const found: Message[] = [];
  for (const name of names) found.push(await resolve(rt.session(), kind, name, query));
  return found;
}

async function get(rt: Runtime, first: string, rest: string[], options: GetOptions): Promise<void> {
  const format = parseOutputFormat(options.output);
  const { kind, names } = kindAndNames(first, rest);
  if (options.vm !== undefined && kind.name !== "snapshot" && kind.name !== "volume")
    throw usageError("--vm narrows snapshots and volumes only");
  const query = await rt.query(options);
  const spansProjects = kind.projectScoped === true && !query.projectId;
  if (options.watch) return watch(rt, kind, names, query, format, spansProjects);
  const [items, nameTable] = await Promise.all([
    getObjects(rt, kind, names, query),
    format === "table" || format === "wide"
      ? loadNames(rt.session(), kind.lookups ?? [])
      : loadNames(rt.session(), []),
  ]);
  if (names.length === 1 && (format === "json" || format === "yaml")) {
    // One object named: print the object itself, as `create -f` reads it back.
    rt.out(serialize(jsonOf(kind.schema, items[0]!), format));
    return;
  }
  if (items.length === 0 && (format === "table" || format === "wide")) {
    rt.err(`No ${kind.plural} found.`);
    return;
  }
  rt.out(formatItems(kind, items, format, nameTable, spansProjects));
}

/** watch prints a kind's objects, then each change as it happens, until interrupted. */
async function watch(
  rt: Runtime,
  kind: ResourceKind,
  names: readonly string[],
  query: ListQuery,
  format: OutputFormat,
  spansProjects: boolean,
): Promise<void> {
  const session = rt.session();
  rt.interruptEndsCleanly = true;
  let stream: AsyncIterable<WatchChange<Message>>;
  let keep: (m: Message) => boolean = () => true;
  if (names.length === 1 && kind.watchOne) {
    const one = await resolve(session, kind, names[0]!, query);
    stream = kind.watchOne(session, kind.idOf(one), rt.signal);
  } else if (kind.watch) {
    if (names.length > 0) {
      const ids = new Set((await getObjects(rt, kind, names, query)).map((m) => kind.idOf(m)));
      keep = (m) => ids.has(kind.idOf(m));
    }
    stream = kind.watch(session, query, rt.signal);
  } else {
    throw usageError(
      `${kind.plural} cannot be watched; these can: ${KINDS.filter((k) => k.watch)
        .map((k) => k.plural)
        .join(", ")}`,
    );
  }
  const lookups = await loadNames(
    session,
    format === "table" || format === "wide" ? (kind.lookups ?? []) : [],
  );
  const options = { wide: format === "wide", spansProjects };
  const headers = tableColumns(kind, options).map((c) => c.header);
  // The watch first sends the objects there are (CREATED), then a BOOKMARK: those are printed as
  // one aligned table, and every later change as a row in the same columns.
  let initial: Message[] | undefined = [];
  let widths = headers.map((h) => h.length);
  const printRow = (m: Message) => {
    const cells = tableRow(kind, m, lookups, options);
    rt.out(
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join("   ")
        .trimEnd(),
    );
  };
  const emit = (change: WatchChange<Message>) => {
    const m = change.object!;
    if (format === "json") rt.out(JSON.stringify({ type: change.type, object: jsonOf(kind.schema, m) }));
    else if (format === "yaml")
      rt.out(`---\n${stringify({ type: change.type, object: jsonOf(kind.schema, m) })}`);
    else if (format === "name") rt.out(`${kind.name}/${kind.nameOf(m)}`);
    else printRow(m);
  };
  const flushInitial = () => {
    if (!initial) return;
    if (format === "table" || format === "wide") {
      const rows = initial.map((m) => tableRow(kind, m, lookups, options));
      widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
      rt.out(renderTable(headers, rows));
    } else for (const m of initial) emit({ type: "CREATED", object: m });
    initial = undefined;
  };
  // The event stream has no initial listing: it starts with what happens next.
  if (kind.name === "event") flushInitial();
  try {
    for await (const change of stream) {
      if (change.type === "BOOKMARK" || !change.object) {
        flushInitial();
        continue;
      }
      if (!keep(change.object)) continue;
      if (initial) initial.push(change.object);
      else emit(change);
    }
  } catch (e) {
    if (rt.signal.aborted || ConnectError.from(e).code === Code.Canceled) return;
    throw e;
  }
}

/** registerGetCommand adds `get`. */
export function registerGetCommand(program: Command, rt: Runtime): void {
  examples(
    program
      .command("get")
      .description(
        `list objects of a type, or show some by name or id (types: ${KINDS.map((k) => k.plural).join(", ")})`,
      )
      .argument("<type>", "the type of object (vms, nodes …), or TYPE/NAME")
      .argument("[names...]", "names or ids (default: all)")
      .option("-o, --output <format>", "table|wide|json|yaml|name", "table")
      .option("-l, --selector <selector>", "keep objects whose labels match, e.g. env=prod,tier in (web,db)")
      .option("--project <project>", "the project (name or id) of project-scoped types")
      .option("-A, --all-projects", "list across every project the caller sees")
      .option("-w, --watch", "after listing, print each change as it happens (until Ctrl-C)")
      .option("--vm <vm>", "snapshots or volumes of this VM")
      .option("--cluster <cluster>", "objects of this cluster (nodes, pools, recommendations, alerts)")
      .option("--node <node>", "VMs on this node")
      .action((type: string, names: string[], options: GetOptions) => get(rt, type, names, options)),
    [
      "limiqctl get vms",
      "limiqctl get vms -l app=web -o wide",
      "limiqctl get vm web -o yaml",
      "limiqctl get vms --all-projects -o name",
      "limiqctl get nodes --watch",
      "limiqctl get snapshots --vm web",
      "limiqctl get recommendations --cluster default -o json",
    ],
  );
}
