import { defineConfig } from "vitest/config";

// One run over every package, so CI gets a single summary. Model tests share 2 cores, so
// files run one at a time; e2e tests (`*.e2e.test.ts`) can be skipped with `pnpm test:fast`.
export default defineConfig({
  test: {
    projects: ["packages/*", "examples"],
    fileParallelism: false,
    // One temporary directory per run, removed at its end (scripts/test-tmpdir.ts).
    globalSetup: ["./scripts/test-tmpdir.ts"],
    reporters: ["default", "./scripts/plain-summary-reporter.ts"],
  },
});
