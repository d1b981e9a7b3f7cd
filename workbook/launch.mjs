// Starts a runner command without paying for tsx's loader (about a third of a second) each time:
// the runner's TypeScript is bundled by esbuild into plain ES modules once per version of its
// sources, kept in .workbook/runner/<hash>/, and run from there. This file is JavaScript only
// because it must run before anything can read TypeScript. `node --import tsx workbook/cli.ts`
// runs the same commands from the sources directly.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
// The .mjs files too: the runner imports some (tsc-command.mjs), so the bundle holds them.
const sources = fs.readdirSync(here).filter((name) => /\.(ts|mts|mjs)$/.test(name)).sort();
const hash = createHash('sha256').update(root);
for (const name of sources) hash.update(name).update('\0').update(fs.readFileSync(path.join(here, name))).update('\0');
const outdir = path.join(root, '.workbook', 'runner', hash.digest('hex').slice(0, 16));
const entry = path.join(outdir, 'cli.js');

if (!fs.existsSync(entry)) {
  const { build } = await import('esbuild').catch((error) => {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    // No runner yet to say it in the learner's language: both of the workbook's.
    console.error('The packages are not installed here yet: run `npm install` in this folder first.');
    console.error('이 폴더에는 아직 패키지가 설치되지 않았습니다. 먼저 이 폴더에서 `npm install`을 실행하십시오.');
    process.exit(1);
  });
  const building = `${outdir}.${process.pid}.tmp`;
  await build({
    entryPoints: [path.join(here, 'cli.ts')],
    outdir: building,
    outExtension: { '.js': '.js' },
    bundle: true,
    splitting: true, // each command's modules stay in their own chunk, loaded when it runs
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // target.ts finds the workbook from its own location, which the bundle must keep.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(path.join(here, 'target.ts')).href) },
    logLevel: 'error',
  });
  fs.writeFileSync(path.join(building, 'package.json'), '{ "type": "module" }\n');
  // Another command may have built the same version meanwhile: either copy will do.
  try {
    fs.renameSync(building, outdir);
  } catch {
    fs.rmSync(building, { recursive: true, force: true });
  }
  // Older versions of the runner are of no use any more.
  for (const old of fs.readdirSync(path.dirname(outdir))) {
    if (!outdir.endsWith(old) && !old.endsWith('.tmp')) fs.rmSync(path.join(path.dirname(outdir), old), { recursive: true, force: true });
  }
}
await import(pathToFileURL(entry).href);
