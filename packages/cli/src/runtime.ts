import type { Command } from "commander";
import { type Colors, colorsFor, type Terminal } from "./io";
import type { ListQuery } from "./resources/kind";
import { kindOrFail } from "./resources/registry";
import { vmKind, clusterKind, nodeKind } from "./resources/compute-kinds";
import { resolve, resolveProjectId } from "./resources/resolve";
import { type GlobalOptions, Session } from "./session/session";
import { type Progress, startProgress } from "./ui/progress";

/** ScopeOptions are the flags that choose a project. */
export interface ScopeOptions {
  readonly project?: string;
  readonly allProjects?: boolean;
}

/** FilterOptions are the flags that narrow a listing. */
export interface FilterOptions extends ScopeOptions {
  readonly selector?: string;
  readonly vm?: string;
  readonly cluster?: string;
  readonly node?: string;
}

/** Runtime is what every command works with: the terminal, the global options and the session. */
export class Runtime {
  private sessionCache: Session | undefined;
  /** interruptEndsCleanly is set by commands that run until interrupted (watches): Ctrl-C then exits 0. */
  interruptEndsCleanly = false;
  private readonly aborter = new AbortController();

  constructor(
    readonly terminal: Terminal,
    readonly program: Command,
  ) {}

  /** signal aborts when the run is interrupted (Ctrl-C). */
  get signal(): AbortSignal {
    return this.aborter.signal;
  }

  /** interrupt aborts the run's calls and watches. */
  interrupt(): void {
    this.aborter.abort();
  }

  /** globals are the options given to the program itself (--server, --token, --context, --no-color). */
  globals(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  /** session is this run's connection to the server, made on first use. */
  session(): Session {
    this.sessionCache ??= new Session(this.terminal, this.globals());
    return this.sessionCache;
  }

  /** colors are the colours of standard output (none when it is not a terminal, with NO_COLOR or --no-color). */
  colors(): Colors {
    return colorsFor(this.terminal.stdout, this.terminal.env, this.globals().color === false);
  }

  /** errColors are the colours of standard error. */
  errColors(): Colors {
    return colorsFor(this.terminal.stderr, this.terminal.env, this.globals().color === false);
  }

  out(text: string): void {
    this.terminal.stdout.write(text.endsWith("\n") || text === "" ? text : `${text}\n`);
  }

  err(text: string): void {
    this.terminal.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** progress starts a spinner (or plain lines when standard error is not a terminal). */
  progress(text: string): Progress {
    return startProgress(this.terminal, this.errColors(), text);
  }

  /** projectId is the project the flags (or the context) choose; undefined lists across projects. */
  async projectId(options: ScopeOptions): Promise<string | undefined> {
    if (options.allProjects) return undefined;
    const ref = options.project ?? this.session().context()?.project;
    return ref ? resolveProjectId(this.session(), ref) : undefined;
  }

  /** query turns the filter flags into a ListQuery, looking names up as ids. */
  async query(options: FilterOptions): Promise<ListQuery> {
    const s = this.session();
    const projectId = await this.projectId(options);
    const [vmId, clusterId, nodeId] = await Promise.all([
      options.vm
        ? resolve(s, vmKind, options.vm, projectId ? { projectId } : {}).then((v) => vmKind.idOf(v))
        : undefined,
      options.cluster ? resolve(s, clusterKind, options.cluster).then((c) => clusterKind.idOf(c)) : undefined,
      options.node ? resolve(s, nodeKind, options.node).then((n) => nodeKind.idOf(n)) : undefined,
    ]);
    return {
      ...(options.selector ? { labelSelector: options.selector } : {}),
      ...(projectId ? { projectId } : {}),
      ...(vmId ? { vmId } : {}),
      ...(clusterId ? { clusterId } : {}),
      ...(nodeId ? { nodeId } : {}),
    };
  }
}

/** examples appends an Examples section to a command's help. */
export function examples(command: Command, lines: readonly string[]): Command {
  return command.addHelpText("after", `\nExamples:\n${lines.map((l) => `  ${l}`).join("\n")}\n`);
}

export { kindOrFail };
