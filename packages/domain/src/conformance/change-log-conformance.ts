import { afterEach, beforeEach, describe } from "vitest";
import { compactionSuite } from "./change-log/compaction-suite";
import { fenceSuite } from "./change-log/fence-suite";
import { followSuite } from "./change-log/follow-suite";
import type { ChangeLogHarness } from "./change-log/harness";
import { orderSuite } from "./change-log/order-suite";
import { writesSuite } from "./change-log/writes-suite";

export type { ChangeLogHarness } from "./change-log/harness";

/**
 * runChangeLogConformance registers the change-log conformance suite for an adapter: one entry
 * per committed write of every kind (create, update, updateStatus, recordHeartbeat, delete) with
 * the resource and the call's attribution, none for a refused or rolled-back write;
 * resourceVersion as the revision of the last change; order across concurrent writers and units
 * of work, with no gap filled in later; read, wait and abort; compaction by count and by age;
 * the revision-compacted error below the retained window; and write fences (a deposed
 * holder's writes refused in their transaction). Each test gets a harness from
 * makeHarness and closes it afterwards. Tests read only entries about what they wrote, but
 * compaction removes everyone's old entries: do not share the backend with other readers of
 * its change log while the suite runs.
 */
export function runChangeLogConformance(adapter: string, makeHarness: () => Promise<ChangeLogHarness>): void {
  describe(`ChangeLog conformance: ${adapter}`, () => {
    let current: ChangeLogHarness | undefined;
    beforeEach(async () => {
      current = await makeHarness();
    });
    afterEach(async () => {
      const h = current;
      current = undefined;
      await h?.close();
    });
    const harness = (): ChangeLogHarness => {
      if (!current) throw new Error("the conformance harness is not ready (was makeHarness awaited?)");
      return current;
    };
    writesSuite(harness);
    orderSuite(harness);
    followSuite(harness);
    compactionSuite(harness);
    fenceSuite(harness);
  });
}
