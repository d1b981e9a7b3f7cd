// Loaded by the guide's spare test worker (warm-forks.ts) before any test file: the packages
// most lesson suites import, so a run does not wait for Node to read them.
await import('zod');
await import('express');
