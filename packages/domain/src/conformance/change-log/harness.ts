import type { ChangeLog, ChangeLogEntry } from "../../ports/change-log";
import type { Repositories, UnitOfWork } from "../../ports/unit-of-work";

/** ChangeLogHarness is what an adapter hands the change-log conformance suite: repositories, a unit of work and the change log they write to. */
export interface ChangeLogHarness {
  readonly repos: Repositories;
  readonly uow: UnitOfWork;
  readonly changeLog: ChangeLog;
  close(): Promise<void>;
}

/** PAGE is how many entries the suite reads at a time. */
export const PAGE = 500;

/** entriesAfter reads every entry above a revision, page by page, in revision order. */
export async function entriesAfter(log: ChangeLog, afterRevision: number): Promise<ChangeLogEntry[]> {
  const out: ChangeLogEntry[] = [];
  let after = afterRevision;
  for (;;) {
    const page = await log.read(after, PAGE);
    out.push(...page);
    const last = page.at(-1);
    if (page.length < PAGE || !last) return out;
    after = last.revision;
  }
}

/** entriesOf reads the entries above a revision that are about the given resource ids. */
export async function entriesOf(
  log: ChangeLog,
  afterRevision: number,
  ids: readonly string[],
): Promise<ChangeLogEntry[]> {
  const wanted = new Set(ids);
  return (await entriesAfter(log, afterRevision)).filter((e) => wanted.has(e.id));
}

/** isStrictlyIncreasing says whether each revision is above the one before it. */
export function isStrictlyIncreasing(revisions: readonly number[]): boolean {
  return revisions.every((r, i) => i === 0 || r > revisions[i - 1]!);
}
