import { expect } from "vitest";
import type { DomainError, ErrorCode } from "../errors";

/** ErrorLike is the shape conformance checks read from a thrown DomainError (by shape, so two copies of domain still match). */
interface ErrorLike {
  readonly name: string;
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: { readonly fieldViolations?: readonly { field: string; description: string }[] };
}

function isErrorLike(value: unknown): value is ErrorLike {
  if (value === null || typeof value !== "object") return false;
  const v = value as { name?: unknown; code?: unknown };
  return v.name === "DomainError" && typeof v.code === "string";
}

/** expectDomainError awaits a promise that must reject with a DomainError of the given code, and returns the error. */
export async function expectDomainError(promise: Promise<unknown>, code: ErrorCode): Promise<DomainError> {
  let thrown: unknown;
  let settled = false;
  try {
    await promise;
    settled = true;
  } catch (error) {
    thrown = error;
  }
  if (settled) expect.fail(`expected a DomainError with code ${code}, but the call succeeded`);
  if (!isErrorLike(thrown))
    expect.fail(
      `expected a DomainError with code ${code}, got ${thrown instanceof Error ? thrown.stack : String(thrown)}`,
    );
  expect(thrown.code, `error code (message: ${thrown.message})`).toBe(code);
  return thrown as unknown as DomainError;
}

/** sleep waits for real time; conformance suites use it only for short waits where a backend runs in real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** eventually retries an assertion until it holds or the deadline passes (real time), then rethrows its last failure. */
export async function eventually(
  assertion: () => void | Promise<void>,
  timeoutMs = 5000,
  stepMs = 5,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(stepMs);
    }
  }
}

/** settled reports whether a promise has settled yet, without waiting for it. */
export async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol("pending");
  const result = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    sleep(0).then(() => marker),
  ]);
  return result !== marker;
}

/** Deferred is a promise with its resolve function, for handlers that must wait on the test. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

/** deferred makes a Deferred. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
