/**
 * Shell completion scripts for bash and zsh, generated from the registered commands (so a new verb or
 * option completes without touching this file). Pure: the command tree in, the script text out.
 */

export interface OptionSpec {
  /** Every spelling: `-V`, `--verbose`. */
  names: string[];
  description: string;
  /** Whether the option takes a value (`--count <n>`). */
  takesValue: boolean;
  /** What its value completes to: a file, one of fixed words, the `host:port`s of the loaded hosts, or nothing. */
  value: "file" | "hostPort" | "none" | readonly string[];
}

export interface VerbSpec {
  name: string;
  description: string;
  options: OptionSpec[];
  /** What the verb's arguments complete to: files, or fixed words. */
  args: "file" | readonly string[];
}

export type Shell = "bash" | "zsh";
export const SHELLS: readonly Shell[] = ["bash", "zsh"];

/** Values that are fixed words, by option name (commander does not declare them). */
const WORDS: Record<string, readonly string[]> = { "--tunnels": ["kernel", "native"] };
/** Option values that are paths, by the placeholder the option's help gives them. */
const FILE_VALUE = /^<(dump|out\.pcap|capture#n|file|path)[^>]*>$/;

/** What an option's value completes to, from its flags (`--before <dump>`) and name. */
export function valueKind(long: string | undefined, flags: string): OptionSpec["value"] {
  const placeholder = flags.match(/<[^>]*>|\[[^\]]*\]/)?.[0];
  if (placeholder === undefined) return "none";
  if (long !== undefined && WORDS[long]) return WORDS[long];
  if (placeholder === "<host:port>") return "hostPort";
  return FILE_VALUE.test(placeholder) ? "file" : "none";
}

/** Only the first clause of a help text: completion menus have one line. */
const brief = (text: string): string =>
  text
    .split(/[;:(]\s|\.\s/)[0]
    .replace(/\s+/g, " ")
    .trim();

export function completionScript(shell: Shell, verbs: readonly VerbSpec[]): string {
  return shell === "bash" ? bashScript(verbs) : zshScript(verbs);
}

const quoteBash = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

function bashScript(verbs: readonly VerbSpec[]): string {
  const cases = verbs.map((v) => {
    const all = [...v.options.flatMap((o) => o.names), "-h", "--help"];
    const valued = v.options.filter((o) => o.takesValue);
    const valueCases = valued.map((o) => {
      const pattern = o.names.join("|");
      if (o.value === "file") return `        ${pattern}) _ovspath_files; return ;;`;
      if (o.value === "hostPort") return `        ${pattern}) _ovspath_host_ports; return ;;`;
      if (o.value === "none") return `        ${pattern}) return ;;`;
      return `        ${pattern}) COMPREPLY=($(compgen -W ${quoteBash(o.value.join(" "))} -- "$cur")); return ;;`;
    });
    return [
      `    ${v.name})`,
      ...(valueCases.length > 0 ? ['      case "$prev" in', ...valueCases, "      esac"] : []),
      `      opts=${quoteBash(all.join(" "))}${v.args === "file" ? "" : `; words=${quoteBash(v.args.join(" "))}`} ;;`,
    ].join("\n");
  });
  return `# bash completion for ovspath (made by \`ovspath completion bash\`; load it with
#   source <(ovspath completion bash)
# or save it as ~/.local/share/bash-completion/completions/ovspath).
_ovspath_files() {
  local IFS=$'\\n'
  COMPREPLY=($(compgen -f -- "$cur"))
  compopt -o filenames 2>/dev/null
}
# host:port after --at: asks ovspath for the ports of the hosts already on the command line.
_ovspath_host_ports() {
  local IFS=$'\\n' w paths=()
  for w in "\${COMP_WORDS[@]:2}"; do
    [ -e "$w" ] && case "$w" in *.pcap|*.pcapng) ;; *) paths+=("$w") ;; esac
  done
  [ \${#paths[@]} -gt 0 ] || return
  COMPREPLY=($(compgen -W "$(ovspath completion ports -- "\${paths[@]}" 2>/dev/null)" -- "$cur"))
  compopt -o nospace 2>/dev/null
}
_ovspath() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" opts words=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W ${quoteBash([...verbs.map((v) => v.name), "help", "--help", "--version"].join(" "))} -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases.join("\n")}
    help) COMPREPLY=($(compgen -W ${quoteBash(verbs.map((v) => v.name).join(" "))} -- "$cur")); return ;;
    *) return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [ -n "$words" ]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  else
    _ovspath_files
  fi
}
complete -F _ovspath ovspath
`;
}

/** Text inside a zsh `_arguments` spec's [description] or a `_describe` entry. */
const escapeZsh = (s: string): string => s.replace(/[\\[\]:'"`$]/g, (c) => (c === "'" ? "'\\''" : `\\${c}`));

function zshOption(o: OptionSpec): string {
  const what = escapeZsh(brief(o.description));
  const value = !o.takesValue
    ? ""
    : o.value === "file"
      ? ":file:_files"
      : o.value === "hostPort"
        ? ":host\\:port:_ovspath_host_ports"
        : o.value === "none"
          ? ":value: "
          : `:value:(${o.value.join(" ")})`;
  const repeat = o.takesValue ? "*" : "";
  if (o.names.length === 1) return `'${repeat}${o.names[0]}[${what}]${value}'`;
  const exclusive = repeat === "" ? `(${o.names.join(" ")})` : "";
  return `'${exclusive}${repeat}'{${o.names.join(",")}}'[${what}]${value}'`;
}

function zshScript(verbs: readonly VerbSpec[]): string {
  const describe = verbs.map((v) => `    '${v.name}:${escapeZsh(brief(v.description))}'`);
  const cases = verbs.map((v) =>
    [
      `    ${v.name})`,
      `      _arguments -s \\`,
      ...v.options.map((o) => `        ${zshOption(o)} \\`),
      `        '(- *)'{-h,--help}'[show help]' \\`,
      v.args === "file" ? `        '*:file:_files' ;;` : `        '1:${v.name}:(${v.args.join(" ")})' ;;`,
    ].join("\n"),
  );
  return `#compdef ovspath
# zsh completion for ovspath (made by \`ovspath completion zsh\`; save it as _ovspath in a directory of
# $fpath, e.g. ovspath completion zsh > "\${fpath[1]}/_ovspath", then start a new zsh).
_ovspath_host_ports() {
  local -a paths ports
  local w
  for w in \${words[2,-1]}; do
    [[ -e $w && $w != *.pcap && $w != *.pcapng ]] && paths+=("$w")
  done
  (( \${#paths} )) || return 1
  ports=(\${(f)"$(ovspath completion ports -- "\${paths[@]}" 2>/dev/null)"})
  compadd -a ports
}
_ovspath() {
  local -a verbs
  verbs=(
${describe.join("\n")}
  )
  if (( CURRENT == 2 )); then
    _describe -t verbs 'ovspath verb' verbs
    return
  fi
  words=("\${words[@]:1}")
  (( CURRENT-- ))
  case $words[1] in
${cases.join("\n")}
    help) _describe -t verbs 'ovspath verb' verbs ;;
  esac
}
_ovspath "$@"
`;
}
