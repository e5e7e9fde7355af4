import { stringify } from "yaml";
import { Code, ConnectError } from "@connectrpc/connect";
import { events } from "@limiquantix/api";
import type { Command } from "commander";
import { formatItems, jsonOf, parseOutputFormat, tableColumns, tableRow } from "../output/printer";
import { renderTable } from "../output/table";
import { eventKind } from "../resources/ops-kinds";
import { allPages } from "../resources/kind";
import { usageError } from "../exit-codes";
import { loadNames } from "../resources/names";
import { resolve } from "../resources/resolve";
import { examples, type Runtime, type ScopeOptions } from "../runtime";
import { kindAndNames } from "./get-command";

interface EventsOptions extends ScopeOptions {
  for?: string;
  follow?: boolean;
  output?: string;
  selector?: string;
  minSeverity?: string;
}

async function showEvents(rt: Runtime, options: EventsOptions): Promise<void> {
  const format = parseOutputFormat(options.output);
  const session = rt.session();
  const projectId = (await rt.projectId(options)) ?? "";
  let resourceId = "";
  let kinds: string[] = [];
  if (options.for) {
    const { kind, names } = kindAndNames(options.for, []);
    const target = await resolve(session, kind, names[0] ?? "", projectId ? { projectId } : {});
    resourceId = kind.idOf(target);
    kinds = [kind.kind];
  }
  const minSeverity = options.minSeverity
    ? (events.Severity[options.minSeverity.toUpperCase() as keyof typeof events.Severity] as
        | events.Severity
        | undefined)
    : events.Severity.UNSPECIFIED;
  if (minSeverity === undefined)
    throw usageError(`--min-severity ${options.minSeverity}: one of info, warning, critical`);
  const names = await loadNames(session, []);
  if (!options.follow) {
    const client = session.client(events.EventService);
    const list = await allPages((pageToken) =>
      client
        .listEvents({
          pageToken,
          projectId,
          resourceId,
          kinds,
          minSeverity,
          labelSelector: options.selector ?? "",
        })
        .then((r) => ({ items: r.events, next: r.nextPageToken })),
    );
    // Oldest first, as a log reads.
    list.reverse();
    if (list.length === 0 && (format === "table" || format === "wide")) rt.err("No events found.");
    else rt.out(formatItems(eventKind, list, format, names, false));
    return;
  }
  rt.interruptEndsCleanly = true;
  const opts = { wide: format === "wide", spansProjects: false };
  const headers = tableColumns(eventKind, opts).map((c) => c.header);
  if (format === "table" || format === "wide") rt.out(renderTable(headers, []).trimEnd());
  const stream = session
    .client(events.EventService)
    .streamEvents(
      { projectId, resourceId, kinds, minSeverity, labelSelector: options.selector ?? "" },
      { signal: rt.signal },
    );
  try {
    for await (const m of stream) {
      const e = m.event;
      if (!e) continue;
      if (format === "json") rt.out(JSON.stringify(jsonOf(events.EventSchema, e)));
      else if (format === "yaml") rt.out(`---\n${stringify(jsonOf(events.EventSchema, e))}`);
      else if (format === "name") rt.out(`event/${e.id}`);
      else rt.out(tableRow(eventKind, e, names, opts).join("   "));
    }
  } catch (e) {
    if (rt.signal.aborted || ConnectError.from(e).code === Code.Canceled) return;
    throw e;
  }
}

/** registerEventsCommand adds `events`. */
export function registerEventsCommand(program: Command, rt: Runtime): void {
  examples(
    program
      .command("events")
      .description("show what happened to resources (oldest first), or follow new events with -f")
      .option("--for <type/name>", "events of one object, e.g. vm/web")
      .option("-f, --follow", "print new events as they happen (until Ctrl-C)")
      .option("-o, --output <format>", "table|wide|json|yaml|name", "table")
      .option("-l, --selector <selector>", "events of objects whose labels match")
      .option("--min-severity <level>", "info|warning|critical")
      .option("--project <project>", "events of one project")
      .option("-A, --all-projects", "events of every project the caller sees")
      .action((options: EventsOptions) => showEvents(rt, options)),
    [
      "limiqctl events",
      "limiqctl events --for vm/web",
      "limiqctl events -f -o json",
      "limiqctl events --min-severity warning",
    ],
  );
}
