// Loaded by the guide's spare test worker (warm-forks.ts) before any test file: the packages the
// lesson's suite will import, named in the arguments, so a run does not wait for Node to read them.
// A package that fails to load here is left for the run itself to report.
for (const name of process.argv.slice(2)) {
  try {
    await import(name);
  } catch {
    // the run that imports it says what is wrong
  }
}

// Node loads its fetch (undici) on the first call: 50 ms and more that the first test of every
// HTTP suite would pay. A data: URL goes through fetch without opening any connection.
await (await fetch('data:,warm')).text();
