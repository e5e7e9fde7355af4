import { type FieldViolation, invalidArgument } from "@limiquantix/domain";
import { BUILTIN_FILTERS } from "../filters/index";
import type { FilterPlugin, ScorePlugin } from "./plugin";
import type { PluginRegistry } from "./registry";

/** Preset names the built-in profiles: spread VMs out, pack them tight, or keep CPU and memory balanced. */
export type Preset = "spread" | "pack" | "balance";

/** PresetDefinition is the filters (in evaluation order) and score weights a preset enables. */
export interface PresetDefinition {
  readonly filters: readonly string[];
  readonly scores: Readonly<Record<string, number>>;
}

const ALL_FILTERS = BUILTIN_FILTERS.map((f) => f.name);
const RULE_SCORES = { "vm-affinity-preference": 2, "prefer-no-schedule": 1, "host-rule-preference": 2 };

/** PRESETS are the built-in profiles; every one enables every built-in filter. */
export const PRESETS: Readonly<Record<Preset, PresetDefinition>> = {
  spread: { filters: ALL_FILTERS, scores: { "least-allocated": 3, balanced: 1, ...RULE_SCORES } },
  pack: { filters: ALL_FILTERS, scores: { "most-allocated": 3, balanced: 1, ...RULE_SCORES } },
  balance: { filters: ALL_FILTERS, scores: { balanced: 3, "least-allocated": 1, ...RULE_SCORES } },
};

/**
 * ProfileConfig selects plugins and weights. It starts from a preset (default `spread`); `filters`
 * replaces the preset's filter list, `scores` overrides weights by name (0 turns a score off).
 */
export interface ProfileConfig {
  readonly preset?: Preset;
  readonly filters?: readonly string[];
  readonly scores?: Readonly<Record<string, number>>;
  /** Seeds tie-breaking and where the node scan starts; without it ties go to the lowest node id. */
  readonly seed?: number | string;
  /**
   * Share of nodes (1–100) scanned for feasible ones before scoring, as kube-scheduler's
   * percentageOfNodesToScore; default adaptive (all nodes below 100, about 10% at 5,000, at
   * least 5%, never fewer than 100). Every node is still scanned before a VM is declared unplaceable.
   */
  readonly percentageOfNodesToScore?: number;
}

/** ResolvedProfile is a profile with its plugins looked up. */
export interface ResolvedProfile {
  readonly filters: readonly FilterPlugin[];
  readonly scores: readonly { readonly plugin: ScorePlugin; readonly weight: number }[];
  readonly seed: string | undefined;
  readonly percentageOfNodesToScore: number | undefined;
}

/** resolveProfile checks a profile and looks its plugins up in a registry; bad input is InvalidArgument. */
export function resolveProfile(config: ProfileConfig, registry: PluginRegistry): ResolvedProfile {
  const preset = config.preset ?? "spread";
  const base = PRESETS[preset];
  const violations: FieldViolation[] = [];
  if (base === undefined)
    violations.push({
      field: "profile.preset",
      description: `must be spread, pack or balance (got "${preset}")`,
    });
  const weights = { ...base?.scores, ...config.scores };
  for (const [name, w] of Object.entries(weights))
    if (!Number.isFinite(w) || w < 0)
      violations.push({
        field: `profile.scores.${name}`,
        description: `must be a finite weight ≥ 0 (got ${w})`,
      });
  const pct = config.percentageOfNodesToScore;
  if (pct !== undefined && !(pct > 0 && pct <= 100))
    violations.push({
      field: "profile.percentageOfNodesToScore",
      description: `must be in (0, 100] (got ${pct})`,
    });
  const filterNames = config.filters ?? base?.filters ?? [];
  if (new Set(filterNames).size !== filterNames.length)
    violations.push({ field: "profile.filters", description: "must not name a filter twice" });
  if (violations.length > 0) throw invalidArgument(violations, "scheduler profile");
  return {
    filters: filterNames.map((n) => registry.filter(n)),
    scores: Object.entries(weights)
      .filter(([, w]) => w > 0)
      .map(([name, weight]) => ({ plugin: registry.score(name), weight })),
    seed: config.seed === undefined ? undefined : String(config.seed),
    percentageOfNodesToScore: pct,
  };
}
