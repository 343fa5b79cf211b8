/**
 * WhisperX-style argument parsing: `--flag value` / `--flag=value`, `-o value`, Python-style
 * booleans ("True"/"False") and "None" for flags that may be unset. Unknown flags are errors, as
 * with argparse. The parsed values are typed from the flag table: a table declared `as const`
 * gives each flag its own type (a number, a boolean, a union of its choices, `| null` when unset
 * is allowed), so the commands read their flags without casts.
 */

/** How a flag takes its value. */
export type FlagKind = "string" | "number" | "int" | "bool" | "switch";

/** A flag definition. */
export interface FlagSpec {
  readonly kind: FlagKind;
  /** The value when the flag is not given; `null` means "unset" (and allows `None`). */
  readonly default?: string | number | boolean | null;
  /** Allowed values as typed on the command line. */
  readonly choices?: readonly string[];
  /** A one-letter alias (`-o`). */
  readonly alias?: string;
  readonly help: string;
}

/** Thrown for bad command lines; the CLI prints it as one line and exits with 2. */
export class UsageError extends Error {}

type BaseValue<S extends FlagSpec> = S["kind"] extends "switch" | "bool" ? boolean : S["kind"] extends "number" | "int" ? number : S extends { readonly choices: readonly (infer C)[] } ? C : string;
type Unset<S extends FlagSpec> = S extends { readonly default: null } ? null : S["kind"] extends "switch" ? never : S extends { readonly default: string | number | boolean } ? never : undefined;

/** The typed values of a flag table. */
export type FlagValues<T extends Record<string, FlagSpec>> = { -readonly [K in keyof T]: BaseValue<T[K]> | Unset<T[K]> };

/** Parsed flags and positional arguments. */
export interface ParsedArgs<T extends Record<string, FlagSpec>> {
  flags: FlagValues<T>;
  /** The flags given on the command line (the others hold their defaults). */
  given: ReadonlySet<keyof T>;
  positional: string[];
}

type RawValue = string | number | boolean | null;

function convert(name: string, spec: FlagSpec, raw: string): RawValue {
  if (raw === "None" && spec.default === null) return null;
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
      if (raw.trim() === "" || !Number.isInteger(v)) throw new UsageError(`argument --${name}: invalid int '${raw}'`);
      return v;
    }
    default:
      return raw;
  }
}

/** Parses `argv` against `specs`. */
export function parseFlags<T extends Record<string, FlagSpec>>(argv: readonly string[], specs: T): ParsedArgs<T> {
  const flags: Record<string, RawValue | undefined> = {};
  for (const [k, s] of Object.entries(specs)) flags[k] = s.kind === "switch" ? false : s.default;
  const aliases = new Map(Object.entries(specs).flatMap(([k, s]) => (s.alias ? [[s.alias, k] as const] : [])));
  const positional: string[] = [];
  const given = new Set<keyof T>();
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
    const key = name in specs ? name : name.replaceAll("-", "_") in specs ? name.replaceAll("-", "_") : undefined;
    if (key === undefined) throw new UsageError(`unrecognized argument: ${a}`);
    const spec = specs[key];
    given.add(key);
    if (spec.kind === "switch") {
      if (value !== undefined) throw new UsageError(`argument --${key}: ignored explicit argument '${value}'`);
      flags[key] = true;
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`argument --${key}: expected a value`);
      value = argv[++i];
    }
    flags[key] = convert(key, spec, value);
  }
  // The table's types describe exactly what `convert` produces for each flag.
  return { flags: flags as FlagValues<T>, given, positional };
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
