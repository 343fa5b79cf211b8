import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { isStreamInput } from "whisperx-mlx";

/**
 * Expands `*` and `?` in the last path component when the shell did not (a quoted pattern,
 * or a shell without globbing). Paths without wildcards, that exist as written, URLs and `-`
 * pass through.
 */
export function expandGlobs(args: string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    const name = basename(a);
    if (!/[*?]/.test(name) || existsSync(a) || isStreamInput(a)) {
      out.push(a);
      continue;
    }
    const dir = dirname(a);
    const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    let matches: string[] = [];
    try {
      matches = readdirSync(dir).filter((f) => re.test(f)).sort();
    } catch {
      // an unreadable directory: keep the pattern so it is reported as a missing file
    }
    out.push(...(matches.length ? matches.map((f) => (dir === "." && !a.startsWith("./") ? f : join(dir, f))) : [a]));
  }
  return out;
}
