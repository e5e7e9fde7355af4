/** ComponentStatus is one component's health as `/ready` reports it. */
export interface ComponentStatus {
  readonly name: string;
  readonly ready: boolean;
  readonly message: string;
  /** How long the last check took, in milliseconds. */
  readonly latencyMs?: number;
}

/** HealthCheck probes one component; it resolves with a message or rejects with why it is not ready. */
export type HealthCheck = () => Promise<string>;

/** HealthRegistry collects the components whose readiness `/ready` reports. */
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();

  /** register adds (or replaces) a component's check. */
  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  /** names lists the registered components. */
  names(): string[] {
    return [...this.checks.keys()];
  }

  /** check runs every probe (each bounded by timeoutMs) and reports each component. */
  async check(timeoutMs = 2000): Promise<{ ready: boolean; components: ComponentStatus[] }> {
    const components = await Promise.all(
      [...this.checks].map(async ([name, probe]): Promise<ComponentStatus> => {
        const started = performance.now();
        let timer: NodeJS.Timeout | undefined;
        try {
          const message = await Promise.race([
            probe(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
          return { name, ready: true, message, latencyMs: Math.round(performance.now() - started) };
        } catch (e) {
          return {
            name,
            ready: false,
            message: (e as Error).message,
            latencyMs: Math.round(performance.now() - started),
          };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return { ready: components.every((c) => c.ready), components };
  }
}
