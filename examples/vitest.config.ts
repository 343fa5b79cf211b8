import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "examples",
    include: ["test/**/*.test.ts"],
    // Each example loads real models and transcribes real audio on 2 cores.
    testTimeout: 600_000,
    pool: "forks",
  },
});
