import { alreadyExists, invalidArgument } from "@limiquantix/domain";
import { BUILTIN_FILTERS } from "../filters/index";
import { BUILTIN_SCORES } from "../scores/index";
import { type FilterPlugin, isFilterPlugin, type Plugin, type ScorePlugin } from "./plugin";

/**
 * PluginRegistry holds filter and score plugins by name; profiles pick from it. It starts with the
 * built-ins, and third-party plugins register through the same door.
 */
export class PluginRegistry {
  private readonly filters = new Map<string, FilterPlugin>();
  private readonly scores = new Map<string, ScorePlugin>();

  constructor(plugins: readonly Plugin[] = []) {
    for (const p of [...BUILTIN_FILTERS, ...BUILTIN_SCORES, ...plugins]) this.register(p);
  }

  /** register adds a plugin; a name already taken by a filter or a score is AlreadyExists. */
  register(plugin: Plugin): this {
    if (typeof plugin.name !== "string" || plugin.name === "")
      throw invalidArgument([{ field: "plugin.name", description: "must be a non-empty string" }]);
    if (this.filters.has(plugin.name) || this.scores.has(plugin.name))
      throw alreadyExists("scheduler plugin", plugin.name);
    if (isFilterPlugin(plugin)) this.filters.set(plugin.name, plugin);
    else this.scores.set(plugin.name, plugin);
    return this;
  }

  /** filter finds a filter plugin by name, or throws InvalidArgument listing the known ones. */
  filter(name: string): FilterPlugin {
    const plugin = this.filters.get(name);
    if (plugin === undefined)
      throw invalidArgument([
        {
          field: "profile.filters",
          description: `names unknown filter "${name}"; known: ${[...this.filters.keys()].join(", ")}`,
        },
      ]);
    return plugin;
  }

  /** score finds a score plugin by name, or throws InvalidArgument listing the known ones. */
  score(name: string): ScorePlugin {
    const plugin = this.scores.get(name);
    if (plugin === undefined)
      throw invalidArgument([
        {
          field: "profile.scores",
          description: `names unknown score "${name}"; known: ${[...this.scores.keys()].join(", ")}`,
        },
      ]);
    return plugin;
  }

  /** filterNames lists the registered filters in registration order. */
  filterNames(): readonly string[] {
    return [...this.filters.keys()];
  }

  /** scoreNames lists the registered scores in registration order. */
  scoreNames(): readonly string[] {
    return [...this.scores.keys()];
  }
}
