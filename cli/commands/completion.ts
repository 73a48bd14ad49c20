import type { Command } from 'commander';
import { UsageError } from '../errors.js';

/**
 * `prime completion bash|zsh|fish`: a script that completes prime's commands and options,
 * made from the command tree itself, so it never falls behind a new command.
 */
export function registerCompletionCommand(program: Command): void {
  program
    .command('completion')
    .description('Print a shell completion script: bash, zsh or fish')
    .argument('<SHELL>', 'bash, zsh or fish')
    .addHelpText(
      'after',
      '\nLoad it with, in ~/.bashrc: source <(prime completion bash)\n' +
        '  in ~/.zshrc: source <(prime completion zsh)\n' +
        '  in fish: prime completion fish > ~/.config/fish/completions/prime.fish',
    )
    .action((shell: string) => {
      const script = SCRIPTS[shell];
      if (!script) throw new UsageError(`Unknown shell '${shell}': use bash, zsh or fish.`);
      process.stdout.write(script(commandTree(program)));
    });
}

/** Each command path (`env secret`) with its subcommands and options; '' is prime itself. */
type Tree = Map<string, string[]>;

function commandTree(program: Command): Tree {
  const tree: Tree = new Map();
  const walk = (command: Command, path: string) => {
    const words = [
      ...command.commands.map((c) => c.name()),
      ...command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)),
      '--help',
    ];
    tree.set(path, words);
    for (const sub of command.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(program, '');
  return tree;
}

/** The table every script looks words up in: `_prime_words PATH` prints PATH's words. */
const cases = (tree: Tree, indent: string, arm: (path: string, words: string) => string) =>
  [...tree].map(([path, words]) => indent + arm(path, words.join(' '))).join('\n');

/**
 * Each script finds the command path typed so far (words that name a subcommand of the path
 * before them; options skipped) and offers that path's words. Commander's names are letters,
 * digits and -, so nothing needs quoting.
 */
/** bash's and zsh's function that prints the words a path of commands offers. */
const shellWords = (tree: Tree) => `_prime_words() {
  case "$1" in
${cases(tree, '    ', (path, words) => `"${path}") echo "${words}" ;;`)}
  esac
}`;

const SCRIPTS: Record<string, (tree: Tree) => string> = {
  bash: (tree) => `# prime completion for bash: source <(prime completion bash)
${shellWords(tree)}
_prime() {
  local at="" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    [[ -n "$(_prime_words "\${at:+$at }$word")" ]] && at="\${at:+$at }$word"
  done
  COMPREPLY=($(compgen -W "$(_prime_words "$at")" -- "\${COMP_WORDS[COMP_CWORD]}"))
}
complete -o default -F _prime prime
`,
  zsh: (tree) => `#compdef prime
# prime completion for zsh: source <(prime completion zsh), after compinit
${shellWords(tree)}
_prime() {
  local at="" word i
  for ((i = 2; i < CURRENT; i++)); do
    word="\${words[i]}"
    [[ "$word" == -* ]] && continue
    [[ -n "$(_prime_words "\${at:+$at }$word")" ]] && at="\${at:+$at }$word"
  done
  compadd -- \${=$(_prime_words "$at")}
}
compdef _prime prime
`,
  fish: (tree) => `# prime completion for fish: prime completion fish > ~/.config/fish/completions/prime.fish
function __prime_words
    switch "$argv[1]"
${cases(tree, '        ', (path, words) => `case '${path}'\n            echo ${words}`)}
    end
end
function __prime_complete
    set -l at ''
    for word in (commandline -opc)[2..-1]
        string match -q -- '-*' $word; and continue
        set -l next (string trim -- "$at $word")
        set -l found (__prime_words $next)
        test -n "$found"; and set at $next
    end
    string split ' ' -- (__prime_words $at)
end
complete -c prime -f -a '(__prime_complete)'
`,
};
