import {
  type Coordinator,
  ErrorCode,
  FENCED,
  isDomainError,
  type Leadership,
  type Repositories,
} from "@limiquantix/domain";
import { fixtures } from "@limiquantix/domain/conformance";
import { createMemoryAdapters, type MemoryAdapters } from "@limiquantix/repo-memory";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Controller } from "./controller";
import { CONTROLLERS_ELECTION, ControllerRunner } from "./controller-runner";

const logger = pino({ level: "silent" });
const WAIT = { timeout: 10_000, interval: 5 };

/** Grants leadership when the test says so, and never tells a holder it lost office (as a paused process is not told). */
class ScriptedCoordinator {
  private readonly waiting = new Map<string, (office: Leadership) => void>();
  readonly resigned: string[] = [];
  readonly offices = new Map<string, AbortController>();

  campaign(_election: string, candidate: string, options?: { signal?: AbortSignal }): Promise<Leadership> {
    return new Promise((resolve, reject) => {
      this.waiting.set(candidate, resolve);
      options?.signal?.addEventListener("abort", () => reject(options.signal?.reason), { once: true });
    });
  }

  /** grant makes a waiting candidate the leader with the given token. */
  grant(candidate: string, token: number): void {
    const resolve = this.waiting.get(candidate);
    if (!resolve) throw new Error(`${candidate} is not campaigning`);
    this.waiting.delete(candidate);
    const lost = new AbortController();
    this.offices.set(candidate, lost);
    resolve({
      election: CONTROLLERS_ELECTION,
      candidate,
      token,
      signal: lost.signal,
      resign: async () => {
        this.resigned.push(candidate);
      },
    });
  }

  campaigning(candidate: string): boolean {
    return this.waiting.has(candidate);
  }
}

/** A controller that writes a labelled VM each time the test kicks it, from its own loop (as the reconciler works). */
class WritingController implements Controller {
  readonly name = "writer";
  readonly outcomes: (string | Error)[] = [];
  started = 0;
  stopped = 0;
  private stopping = false;
  private kick: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly repos: Repositories,
    private readonly projectId: string,
  ) {}

  async start(_signal: AbortSignal): Promise<void> {
    this.started++;
    this.loop = (async () => {
      // Like a paused process's overdue work, the loop writes when kicked even if the signal aborted.
      for (;;) {
        await new Promise<void>((resolve) => {
          this.kick = resolve;
        });
        if (this.stopping) break;
        this.kick = undefined;
        try {
          const vm = await this.repos.vms.create(fixtures.vm({ projectId: this.projectId }));
          this.outcomes.push(vm.id);
        } catch (e) {
          this.outcomes.push(e as Error);
        }
      }
    })();
  }

  /** write makes the controller's loop write once, even if it was told to stop (a paused leader's overdue work). */
  async write(): Promise<string | Error> {
    const before = this.outcomes.length;
    const kick = this.kick;
    if (!kick) throw new Error("the controller is not waiting");
    kick();
    await vi.waitFor(() => expect(this.outcomes.length).toBe(before + 1), WAIT);
    return this.outcomes[before]!;
  }

  async stop(): Promise<void> {
    this.stopped++;
    this.stopping = true;
    this.kick?.();
    await this.loop;
  }
}

describe("ControllerRunner with a write fence", () => {
  let adapters: MemoryAdapters;
  let coordinator: ScriptedCoordinator;
  let projectId: string;
  const runners: ControllerRunner[] = [];

  beforeEach(async () => {
    adapters = createMemoryAdapters();
    coordinator = new ScriptedCoordinator();
    projectId = (await adapters.repositories.projects.create(fixtures.project())).id;
  });
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop();
    await adapters.close();
  });

  const runner = (candidate: string, controller: Controller, fenced: boolean) => {
    const events: string[] = [];
    const r = new ControllerRunner(coordinator as unknown as Coordinator, candidate, [controller], logger, {
      ...(fenced ? { fences: adapters.changeLog } : {}),
      fenceCheckMs: 60_000,
      retryMs: 10,
      onLeading: (leading) => events.push(leading ? "leading" : "standing by"),
      onFenced: () => events.push("fenced"),
    });
    runners.push(r);
    r.start();
    return { runner: r, events };
  };

  it("a deposed leader's controller writes are refused once its successor claimed, and nothing of them is stored", async () => {
    const writerA = new WritingController(adapters.repositories, projectId);
    const writerB = new WritingController(adapters.repositories, projectId);
    const a = runner("a", writerA, true);
    await vi.waitFor(() => expect(coordinator.campaigning("a")).toBe(true), WAIT);
    coordinator.grant("a", 3);
    await vi.waitFor(() => expect(a.runner.isLeader).toBe(true), WAIT);
    const before = await adapters.changeLog.head();
    const byA = await writerA.write();
    expect(typeof byA).toBe("string");

    // A is paused past its lease: B is elected with a newer token; nobody tells A.
    const b = runner("b", writerB, true);
    await vi.waitFor(() => expect(coordinator.campaigning("b")).toBe(true), WAIT);
    coordinator.grant("b", 4);
    await vi.waitFor(() => expect(b.runner.isLeader).toBe(true), WAIT);
    expect(a.runner.isLeader).toBe(true);

    const refused = await writerA.write();
    expect(isDomainError(refused) && refused.code).toBe(ErrorCode.FailedPrecondition);
    expect(isDomainError(refused) && refused.details).toMatchObject({
      reason: FENCED,
      token: 3,
      newestToken: 4,
    });
    const byB = await writerB.write();
    expect(typeof byB).toBe("string");

    const entries = await adapters.changeLog.read(before, 100);
    expect(entries.map((e) => [e.id, e.principal])).toEqual([
      [byA, "controller:a"],
      [byB, "controller:b"],
    ]);
  });

  it("a leader whose fence is refused steps down: its controllers stop, it resigns and campaigns again", async () => {
    const writerA = new WritingController(adapters.repositories, projectId);
    const a = new ControllerRunner(coordinator as unknown as Coordinator, "a", [writerA], logger, {
      fences: adapters.changeLog,
      fenceCheckMs: 20,
      retryMs: 10,
    });
    runners.push(a);
    a.start();
    await vi.waitFor(() => expect(coordinator.campaigning("a")).toBe(true), WAIT);
    coordinator.grant("a", 5);
    await vi.waitFor(() => expect(a.isLeader).toBe(true), WAIT);
    // Another leader claims the office in the store.
    await adapters.changeLog.advanceFence({ name: CONTROLLERS_ELECTION, token: 6 });
    await vi.waitFor(() => expect(a.isLeader).toBe(false), WAIT);
    expect(writerA.stopped).toBe(1);
    expect(coordinator.resigned).toEqual(["a"]);
    await vi.waitFor(() => expect(coordinator.campaigning("a")).toBe(true), WAIT);
  });

  it("an elected candidate whose token is older than the store's does not start its controllers", async () => {
    await adapters.changeLog.advanceFence({ name: CONTROLLERS_ELECTION, token: 10 });
    const writerA = new WritingController(adapters.repositories, projectId);
    const a = runner("a", writerA, true);
    await vi.waitFor(() => expect(coordinator.campaigning("a")).toBe(true), WAIT);
    coordinator.grant("a", 7);
    await vi.waitFor(() => expect(a.events).toContain("fenced"), WAIT);
    expect(writerA.started).toBe(0);
    expect(a.events).not.toContain("leading");
    await vi.waitFor(() => expect(coordinator.resigned).toEqual(["a"]), WAIT);
    await vi.waitFor(() => expect(coordinator.campaigning("a")).toBe(true), WAIT);
    coordinator.grant("a", 11);
    await vi.waitFor(() => expect(writerA.started).toBe(1), WAIT);
    expect(a.events).toEqual(["fenced", "leading"]);
  });

  it("without a fence store (one process owns the store), controller writes carry no fence but name the controllers", async () => {
    await adapters.changeLog.advanceFence({ name: CONTROLLERS_ELECTION, token: 100 });
    const writerA = new WritingController(adapters.repositories, projectId);
    const a = runner("a", writerA, false);
    await vi.waitFor(() => expect(coordinator.campaigning("a")).toBe(true), WAIT);
    coordinator.grant("a", 1);
    await vi.waitFor(() => expect(a.runner.isLeader).toBe(true), WAIT);
    const before = await adapters.changeLog.head();
    const id = await writerA.write();
    expect(typeof id).toBe("string");
    const [entry] = await adapters.changeLog.read(before, 10);
    expect(entry?.principal).toBe("controller:a");
    expect(a.events).toEqual(["leading"]);
  });
});
