import { fixtures, runChangeLogConformance } from "@limiquantix/domain/conformance";
import { describe, expect, it } from "vitest";
import { createMemoryAdapters } from "./adapters";
import { ManualClock } from "./manual-clock";

runChangeLogConformance("memory", async () => {
  const adapters = createMemoryAdapters();
  return {
    repos: adapters.repositories,
    uow: adapters.unitOfWork,
    changeLog: adapters.changeLog,
    close: () => adapters.close(),
  };
});

describe("memory change log", () => {
  it("stamps entries and ages compaction with the store's clock", async () => {
    const clock = new ManualClock(new Date("2026-01-01T00:00:00.000Z"));
    const { repositories: repos, changeLog } = createMemoryAdapters({ clock });
    const project = await repos.projects.create(fixtures.project());
    const [entry] = await changeLog.read(0, 10);
    expect(entry).toMatchObject({
      revision: 1,
      kind: "Project",
      type: "ADDED",
      at: "2026-01-01T00:00:00.000Z",
    });
    expect(project.resourceVersion).toBe(1);
    clock.advance(60_000);
    await repos.projects.create(fixtures.project());
    expect(await changeLog.compact({ maxAgeMs: 30_000 })).toBe(1);
    expect(await changeLog.oldest()).toBe(1);
  });
});
