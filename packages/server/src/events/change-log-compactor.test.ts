import { createMemoryAdapters } from "@limiquantix/repo-memory";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../observability/metrics";
import { ChangeLogCompactor } from "./change-log-compactor";

describe("ChangeLogCompactor", () => {
  it("keeps the newest entries up to the limit, counts what it removed, and a reader of a removed revision must list again", async () => {
    const m = createMemoryAdapters();
    for (let i = 0; i < 20; i++)
      await m.repositories.projects.create({
        id: `p${i}`,
        name: `p${i}`,
        description: "",
        labels: {},
        quota: {},
      });
    const metrics = createMetrics();
    const compactor = new ChangeLogCompactor(
      m.changeLog,
      { retentionMs: 3_600_000, maxEntries: 5, intervalMs: 60_000 },
      pino({ level: "silent" }),
      metrics,
    );
    expect(await compactor.compactOnce()).toBe(15);
    expect(await m.changeLog.read(await m.changeLog.oldest(), 100)).toHaveLength(5);
    await expect(m.changeLog.read(1, 10)).rejects.toMatchObject({ code: "FailedPrecondition" });
    expect(
      await metrics.registry.getSingleMetricAsString("limiquantix_change_log_compacted_entries_total"),
    ).toContain(" 15");
    await m.close();
  });
});
