/**
 * WhisperX-style argument parsing: `--flag value` / `--flag=value`, Python-style booleans
 * ("True"/"False") and "None". Unknown flags are errors, as with argparse.
 */

/** How a flag takes its value. */
export type FlagKind = "string" | "number" | "int" | "bool" | "switch";

/** A flag definition. */
export interface FlagSpec {
  kind: FlagKind;
  default?: string | number | boolean | null;
  choices?: readonly string[];
  alias?: string;
  help: string;
}

/** Thrown for bad command lines; the CLI prints it as one line and exits with 2. */
export class UsageError extends Error {}

/** Parsed flags and positional arguments. */
export interface ParsedArgs {
  flags: Record<string, string | number | boolean | null>;
  positional: string[];
}

function convert(name: string, spec: FlagSpec, raw: string): string | number | boolean | null {
  if (raw === "None" && spec.kind !== "string") return null;
  if (spec.choices && !spec.choices.includes(raw)) throw new UsageError(`argument --${name}: invalid choice '${raw}' (choose from ${spec.choices.join(", ")})`);
  switch (spec.kind) {
    case "bool":
      if (raw === "True" || raw === "true") return true;
      if (raw === "False" || raw === "false") return false;
      throw new UsageError(`argument --${name}: expected True or False, got '${raw}'`);
    case "number": {
      const v = Number(raw);
      if (raw.trim() === "" || Number.isNaN(v)) throw new UsageError(`argument --${name}: invalid number '${raw}'`);
      return v;
    }
    case "int": {
      const v = Number(raw);
      if (!Number.isInteger(v)) throw new UsageError(`argument --${name}: invalid int '${raw}'`);
      return v;
    }
    default:
      return raw === "None" ? null : raw;
  }
}

/** Parses `argv` against `specs`. */
export function parseFlags(argv: string[], specs: Record<string, FlagSpec>): ParsedArgs {
  const flags: ParsedArgs["flags"] = {};
  for (const [k, s] of Object.entries(specs)) if (s.default !== undefined) flags[k] = s.default;
  const aliases = new Map(Object.entries(specs).filter(([, s]) => s.alias).map(([k, s]) => [s.alias as string, k]));
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      positional.push(a);
      continue;
    }
    let name: string;
    let value: string | undefined;
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      value = eq >= 0 ? a.slice(eq + 1) : undefined;
    } else {
      name = aliases.get(a.slice(1)) ?? a.slice(1);
    }
    const key = specs[name] ? name : specs[name.replaceAll("-", "_")] ? name.replaceAll("-", "_") : undefined;
    if (!key) throw new UsageError(`unrecognized argument: ${a}`);
    const spec = specs[key];
    if (spec.kind === "switch") {
      flags[key] = true;
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`argument --${key}: expected a value`);
      value = argv[++i];
    }
    flags[key] = convert(key, spec, value);
  }
  return { flags, positional };
}

/** `--help` text for a flag table. */
export function helpText(usage: string, specs: Record<string, FlagSpec>): string {
  const lines = [usage, "", "options:"];
  for (const [k, s] of Object.entries(specs)) {
    const name = `${s.alias ? `-${s.alias}, ` : ""}--${k}${s.kind === "switch" ? "" : ` ${s.choices ? `{${s.choices.join(",")}}` : k.toUpperCase()}`}`;
    lines.push(`  ${name.padEnd(44)} ${s.help}${s.default !== undefined && s.default !== null && s.kind !== "switch" ? ` (default: ${String(s.default)})` : ""}`);
  }
  return lines.join("\n");
}
