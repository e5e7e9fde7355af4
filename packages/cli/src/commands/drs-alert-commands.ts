import { timestampDate } from "@bufbuild/protobuf/wkt";
import { alert, drs } from "@limiquantix/api";
import type { Command } from "commander";
import { CliError, ExitCode } from "../exit-codes";
import { formatItems, jsonOf, parseOutputFormat, serialize } from "../output/printer";
import { clusterKind } from "../resources/compute-kinds";
import { alertKind, recommendationKind } from "../resources/ops-kinds";
import { enumName } from "../resources/kind";
import { loadNames } from "../resources/names";
import { resolve } from "../resources/resolve";
import { examples, type Runtime } from "../runtime";
import { follow } from "./wait";

type Recommendation = drs.Recommendation;

const findRec = async (rt: Runtime, id: string) =>
  (await resolve(rt.session(), recommendationKind, id)) as Recommendation;
const clusterId = async (rt: Runtime, ref: string) =>
  clusterKind.idOf(await resolve(rt.session(), clusterKind, ref));
const stateOf = (r: Recommendation) => enumName(drs.RecommendationState, r.state);
const FINAL = [
  drs.RecommendationState.APPLIED,
  drs.RecommendationState.FAILED,
  drs.RecommendationState.SUPERSEDED,
  drs.RecommendationState.REJECTED,
];

function printStatus(rt: Runtime, status: drs.DrsStatus | undefined, format: string): void {
  if (!status) return;
  if (format === "json" || format === "yaml") {
    rt.out(serialize(jsonOf(drs.DrsStatusSchema, status), format));
    return;
  }
  const when = (t: Parameters<typeof timestampDate>[0] | undefined) =>
    t ? timestampDate(t).toISOString() : "<never>";
  rt.out(
    [
      `enabled:          ${status.enabled ? "yes" : "no"}`,
      `imbalance:        ${status.imbalance.toFixed(3)}`,
      `last run:         ${when(status.lastRunTime)}${status.lastResult ? ` (${status.lastResult})` : ""}`,
      `next run:         ${when(status.nextRunTime)}`,
      `recommendations:  ${status.pendingRecommendations} pending, ${status.approvedRecommendations} approved, ${status.applyingRecommendations} applying`,
      `migrations:       ${status.migrationsInFlight} in flight`,
      ...(status.lastError ? [`last error:       ${status.lastError}`] : []),
    ].join("\n"),
  );
}

async function apply(rt: Runtime, id: string, options: { wait?: boolean; output?: string }): Promise<void> {
  const rec = await findRec(rt, id);
  const answer = await rt.session().client(drs.DRSService).applyRecommendation({ id: rec.id });
  const started = answer.recommendation ?? rec;
  if (options.wait === false) {
    rt.out(`recommendation/${rec.id} ${stateOf(started)}`);
    rt.err(`Follow it with: limiqctl get recommendations --cluster ${rec.clusterId} --watch`);
    return;
  }
  const progress = rt.progress(`applying recommendation ${rec.id}: ${stateOf(started)}…`);
  const ended = await follow(
    (signal) => recommendationKind.watch!(rt.session(), { clusterId: rec.clusterId }, signal),
    (r) => {
      if (r.id === rec.id)
        progress.update(`applying recommendation ${rec.id}: ${stateOf(r as Recommendation)}…`);
    },
    (r) => r.id === rec.id && FINAL.includes((r as Recommendation).state),
    rt.signal,
  );
  if (!ended) {
    progress.stop();
    throw new CliError(`stopped waiting for recommendation ${rec.id}`, ExitCode.INTERRUPTED);
  }
  const final = ended as Recommendation;
  if (final.state !== drs.RecommendationState.APPLIED) {
    progress.fail(`recommendation ${rec.id} is ${stateOf(final)}`);
    throw new CliError(
      `recommendation ${rec.id} ${stateOf(final)}: ${final.error || "no reason given"}`,
      ExitCode.CONFLICT,
    );
  }
  progress.succeed(`recommendation ${rec.id} APPLIED`);
  rt.out(`recommendation/${rec.id} applied`);
}

/** registerDrsAndAlertCommands adds `drs` and `alert`. */
export function registerDrsAndAlertCommands(program: Command, rt: Runtime): void {
  const d = examples(
    program.command("drs").description("the distributed resource scheduler: passes and recommendations"),
    ["limiqctl drs run default", "limiqctl get recommendations --cluster default", "limiqctl drs apply <id>"],
  );
  examples(
    d
      .command("run")
      .description("analyse a cluster now and list the recommendations of the pass")
      .argument("<cluster>", "cluster name or id")
      .option("-o, --output <format>", "table|wide|json|yaml|name")
      .action(async (ref: string, options: { output?: string }) => {
        const format = parseOutputFormat(options.output);
        const answer = await rt
          .session()
          .client(drs.DRSService)
          .runNow({ clusterId: await clusterId(rt, ref) });
        if (format === "json" || format === "yaml") {
          rt.out(serialize(jsonOf(drs.RunNowResponseSchema, answer), format));
          return;
        }
        const names = await loadNames(rt.session(), recommendationKind.lookups ?? []);
        if (answer.recommendations.length > 0)
          rt.out(formatItems(recommendationKind, answer.recommendations, format, names, false));
        else rt.err("The pass made no recommendation.");
        if (format !== "name") printStatus(rt, answer.status, format);
      }),
    ["limiqctl drs run default"],
  );
  examples(
    d
      .command("status")
      .description("show DRS on a cluster: imbalance, last and next pass, open recommendations")
      .argument("<cluster>", "cluster name or id")
      .option("-o, --output <format>", "table|json|yaml")
      .action(async (ref: string, options: { output?: string }) => {
        const format = parseOutputFormat(options.output);
        const answer = await rt
          .session()
          .client(drs.DRSService)
          .getStatus({ clusterId: await clusterId(rt, ref) });
        printStatus(rt, answer.status, format);
      }),
    ["limiqctl drs status default -o yaml"],
  );
  examples(
    d
      .command("approve")
      .description("approve pending recommendations (applied by the next pass, or with drs apply)")
      .argument("<ids...>", "recommendation ids")
      .action(async (ids: string[]) => {
        for (const id of ids) {
          const rec = await findRec(rt, id);
          const answer = await rt.session().client(drs.DRSService).approveRecommendation({ id: rec.id });
          rt.out(
            `recommendation/${rec.id} ${answer.recommendation ? stateOf(answer.recommendation) : "approved"}`,
          );
        }
      }),
    ["limiqctl drs approve 41c2…"],
  );
  examples(
    d
      .command("reject")
      .description("reject pending recommendations")
      .argument("<ids...>", "recommendation ids")
      .option("--reason <text>", "why")
      .action(async (ids: string[], options: { reason?: string }) => {
        for (const id of ids) {
          const rec = await findRec(rt, id);
          const answer = await rt
            .session()
            .client(drs.DRSService)
            .rejectRecommendation({ id: rec.id, reason: options.reason ?? "" });
          rt.out(
            `recommendation/${rec.id} ${answer.recommendation ? stateOf(answer.recommendation) : "rejected"}`,
          );
        }
      }),
    ["limiqctl drs reject 41c2… --reason 'maintenance window'"],
  );
  examples(
    d
      .command("apply")
      .description("carry out a recommendation now and wait until its migration has ended")
      .argument("<id>", "recommendation id")
      .option("--no-wait", "return once the migration is under way (APPLYING)")
      .action((id: string, options: { wait?: boolean }) => apply(rt, id, options)),
    ["limiqctl drs apply 41c2…", "limiqctl drs apply 41c2… --no-wait"],
  );

  const a = examples(program.command("alert").description("handle alerts"), [
    "limiqctl get alerts",
    "limiqctl alert ack <id> --comment 'looking into it'",
  ]);
  for (const [verb, summary, call] of [
    ["ack", "acknowledge alerts: someone is on it", "acknowledgeAlert"],
    ["resolve", "resolve alerts", "resolveAlert"],
  ] as const) {
    examples(
      a
        .command(verb)
        .description(summary)
        .argument("<ids...>", "alert ids")
        .option("--comment <text>", "a note kept with the alert")
        .action(async (ids: string[], options: { comment?: string }) => {
          for (const id of ids) {
            const found = (await resolve(rt.session(), alertKind, id)) as alert.Alert;
            const client = rt.session().client(alert.AlertService);
            const answer = await client[call]({ id: found.id, comment: options.comment ?? "" });
            rt.out(`alert/${found.id} ${enumName(alert.AlertState, answer.alert?.state ?? 0)}`);
          }
        }),
      [`limiqctl alert ${verb} <id> --comment 'disk replaced'`],
    );
  }
}
