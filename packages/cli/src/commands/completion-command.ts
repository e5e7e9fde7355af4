import type { Command, Option } from "commander";
import { usageError } from "../exit-codes";
import { OUTPUT_FORMATS } from "../output/printer";
import { KINDS, findKind } from "../resources/registry";
import { examples, type Runtime } from "../runtime";

/** SCRIPTS are the shell functions that ask `limiqctl __complete` for candidates. */
const SCRIPTS: Record<string, string> = {
  bash: `# limiqctl completion for bash: source <(limiqctl completion bash)
_limiqctl() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local IFS=$'\\n'
  COMPREPLY=( $(compgen -W "$(limiqctl __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)" -- "$cur") )
}
complete -o default -F _limiqctl limiqctl
`,
  zsh: `#compdef limiqctl
# limiqctl completion for zsh: source <(limiqctl completion zsh), or save as _limiqctl in $fpath
_limiqctl() {
  local -a candidates
  candidates=("\${(@f)$(limiqctl __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  compadd -- \${candidates[@]}
}
if [ "$funcstack[1]" = "_limiqctl" ]; then
  _limiqctl "$@"
else
  compdef _limiqctl limiqctl
fi
`,
  fish: `# limiqctl completion for fish: limiqctl completion fish > ~/.config/fish/completions/limiqctl.fish
complete -c limiqctl -f -a '(limiqctl __complete (commandline -opc)[2..-1] (commandline -ct))'
`,
};

function optionNames(options: readonly Option[]): string[] {
  return options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)));
}

const TYPE_COMMANDS = new Set(["get", "describe", "delete", "create"]);
const RESOURCE_NAME_TIMEOUT_MS = 2000;

/**
 * complete lists the candidates for the last of `words` (the command line after `limiqctl`, the
 * word being typed last): subcommands, options, resource types, `-o` formats, and the names of
 * objects of the type already given (read from the server, when it answers within two seconds).
 */
export async function complete(program: Command, rt: Runtime, words: readonly string[]): Promise<string[]> {
  const typed = words.slice(0, -1);
  const current = words[words.length - 1] ?? "";
  let command = program;
  const positional: string[] = [];
  for (const word of typed) {
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub && positional.length === 0) command = sub;
    else if (!word.startsWith("-")) positional.push(word);
  }
  const previous = typed[typed.length - 1];
  if (previous === "-o" || previous === "--output") return [...OUTPUT_FORMATS];
  if (current.startsWith("-")) {
    const options = [
      ...optionNames(command.options as Option[]),
      ...optionNames(program.options as Option[]),
    ];
    return [...new Set([...options, "--help"])];
  }
  const subs = command.commands
    .filter((c) => !(c as Command & { _hidden?: boolean })._hidden)
    .map((c) => c.name());
  if (subs.length > 0) return subs;
  if (command.name() === "completion") return Object.keys(SCRIPTS);
  if (TYPE_COMMANDS.has(command.name()) && positional.length === 0)
    return KINDS.flatMap((k) => [k.plural, k.name]);
  const kind = TYPE_COMMANDS.has(command.name())
    ? findKind(positional[0] ?? "")
    : command.parent?.name() === "vm"
      ? findKind("vm")
      : command.parent?.name() === "node"
        ? findKind("node")
        : undefined;
  if (!kind) return [];
  try {
    const session = rt.session();
    if (!session.hasCredentials()) return [];
    const items = await Promise.race([
      kind.list(session, {}),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("slow")), RESOURCE_NAME_TIMEOUT_MS).unref(),
      ),
    ]);
    return items.map((i) => kind.nameOf(i));
  } catch {
    return [];
  }
}

/** registerCompletionCommands adds `completion` and the hidden `__complete` the scripts call. */
export function registerCompletionCommands(program: Command, rt: Runtime): void {
  examples(
    program
      .command("completion")
      .description("print the shell completion script for bash, zsh or fish")
      .argument("<shell>", "bash|zsh|fish")
      .action((shell: string) => {
        const script = SCRIPTS[shell];
        if (!script) throw usageError(`completion ${shell}: the shell must be bash, zsh or fish`);
        rt.out(script);
      }),
    [
      "source <(limiqctl completion bash)            # in ~/.bashrc",
      'limiqctl completion zsh > "$' + '{fpath[1]}/_limiqctl"',
      "limiqctl completion fish > ~/.config/fish/completions/limiqctl.fish",
    ],
  );
  program
    .command("__complete", { hidden: true })
    .argument("[words...]")
    .allowUnknownOption()
    .helpOption(false)
    .action(async (words: string[]) => {
      const candidates = await complete(program, rt, words.length > 0 ? words : [""]);
      const current = words[words.length - 1] ?? "";
      rt.out(candidates.filter((c) => c.startsWith(current)).join("\n"));
    });
}
