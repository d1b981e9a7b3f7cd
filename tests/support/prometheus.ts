/**
 * Lesson 10: reads Prometheus' text exposition format (version 0.0.4), strictly enough to refuse
 * what a Prometheus server would refuse, and gives back the metric families found.
 *
 * Checked: HELP / TYPE lines (one each per name, TYPE before the samples), metric and label names,
 * label values and their escapes (\\ \" \n), sample values (floats, NaN, ±Inf) and timestamps, each
 * family's samples in one group, no series twice, and for histograms: an `le` on every bucket,
 * buckets that never decrease, a +Inf bucket equal to _count, and a _sum.
 */

export interface Sample {
  /** The sample's own name: `http_requests_total`, `inference_duration_seconds_bucket`... */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help?: string;
  samples: Sample[];
}

export class ExpositionError extends Error {
  override name = 'ExpositionError';
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(text: string, where: string): number {
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new ExpositionError(`${where}: ${JSON.stringify(text)} is not a number`);
  return Number(text);
}

/** `name{a="1",b="x"} value [timestamp]` → its parts. */
function parseSample(line: string, where: string): Sample {
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
  if (!name) throw new ExpositionError(`${where}: a sample must start with a metric name: ${line}`);
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    let index = 1;
    for (;;) {
      while (rest[index] === ' ') index++;
      if (rest[index] === '}') {
        index++;
        break;
      }
      const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(rest.slice(index))?.[0];
      if (!labelName) throw new ExpositionError(`${where}: a label name was expected: ${line}`);
      index += labelName.length;
      if (rest[index] !== '=' || rest[index + 1] !== '"') throw new ExpositionError(`${where}: label ${labelName} must be followed by ="...": ${line}`);
      index += 2;
      let value = '';
      for (;;) {
        const char = rest[index];
        if (char === undefined) throw new ExpositionError(`${where}: the value of label ${labelName} never ends: ${line}`);
        if (char === '"') break;
        if (char === '\\') {
          const next = rest[index + 1];
          if (next === '\\') value += '\\';
          else if (next === '"') value += '"';
          else if (next === 'n') value += '\n';
          else throw new ExpositionError(`${where}: label ${labelName} has an unknown escape \\${next ?? ''}: ${line}`);
          index += 2;
          continue;
        }
        value += char;
        index++;
      }
      index++; // the closing quote
      if (Object.hasOwn(labels, labelName)) throw new ExpositionError(`${where}: label ${labelName} is given twice: ${line}`);
      labels[labelName] = value;
      while (rest[index] === ' ') index++;
      if (rest[index] === ',') index++;
      else if (rest[index] !== '}') throw new ExpositionError(`${where}: "," or "}" expected after label ${labelName}: ${line}`);
    }
    rest = rest.slice(index);
  }
  const fields = rest.trim().split(/[ \t]+/);
  if (!/^[ \t]/.test(rest) || fields.length < 1 || fields.length > 2 || fields[0] === '') throw new ExpositionError(`${where}: "name value [timestamp]" expected: ${line}`);
  const value = parseValue(fields[0]!, where);
  if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) throw new ExpositionError(`${where}: the timestamp ${fields[1]} is not an integer`);
  return { name, labels, value };
}

/** The family a sample belongs to, given the families whose TYPE has been read. */
function familyOf(sample: string, types: Map<string, Family['type']>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sample.endsWith(suffix)) continue;
    const base = sample.slice(0, -suffix.length);
    const type = types.get(base);
    if (type === 'histogram' || (type === 'summary' && suffix !== '_bucket')) return base;
  }
  return sample;
}

const seriesKey = (sample: Sample) => `${sample.name}{${Object.keys(sample.labels).sort().map((key) => `${key}=${JSON.stringify(sample.labels[key])}`).join(',')}}`;

/** Parses a whole exposition. Throws ExpositionError, naming the line, at the first thing wrong. */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const types = new Map<string, Family['type']>();
  const finished = new Set<string>(); // families whose group of lines has ended
  const seen = new Set<string>();
  let current: string | undefined;
  const family = (name: string): Family => {
    let found = families.get(name);
    if (!found) families.set(name, (found = { name, type: 'untyped', samples: [] }));
    return found;
  };
  const enter = (name: string, where: string) => {
    if (current === name) return;
    if (finished.has(name)) throw new ExpositionError(`${where}: the lines of ${name} must form one group, but they are split`);
    if (current !== undefined) finished.add(current);
    current = name;
  };
  for (const [index, line] of text.split('\n').entries()) {
    const where = `line ${index + 1}`;
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const parts = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
      if (!parts) continue; // any other comment
      const [, keyword, name, rest = ''] = parts as unknown as [string, string, string, string | undefined];
      if (!METRIC_NAME.test(name)) throw new ExpositionError(`${where}: ${JSON.stringify(name)} is not a metric name`);
      enter(name, where);
      const entry = family(name);
      if (keyword === 'HELP') {
        if (entry.help !== undefined) throw new ExpositionError(`${where}: a second HELP for ${name}`);
        entry.help = rest;
      } else {
        if (types.has(name)) throw new ExpositionError(`${where}: a second TYPE for ${name}`);
        if (entry.samples.length > 0) throw new ExpositionError(`${where}: the TYPE of ${name} comes after its samples`);
        if (!TYPES.has(rest.trim())) throw new ExpositionError(`${where}: ${JSON.stringify(rest)} is not a metric type`);
        entry.type = rest.trim() as Family['type'];
        types.set(name, entry.type);
      }
      continue;
    }
    const sample = parseSample(line, where);
    for (const label of Object.keys(sample.labels)) if (!LABEL_NAME.test(label)) throw new ExpositionError(`${where}: ${label} is not a label name`);
    const name = familyOf(sample.name, types);
    enter(name, where);
    const key = seriesKey(sample);
    if (seen.has(key)) throw new ExpositionError(`${where}: the series ${key} appears twice`);
    seen.add(key);
    const entry = family(name);
    if (entry.type === 'histogram' && sample.name === `${name}_bucket` && sample.labels.le === undefined) throw new ExpositionError(`${where}: a histogram bucket without an le label`);
    if (entry.type === 'counter' && !(sample.value >= 0)) throw new ExpositionError(`${where}: the counter ${sample.name} is ${sample.value}`);
    entry.samples.push(sample);
  }
  for (const entry of families.values()) if (entry.type === 'histogram') checkHistogram(entry);
  return families;
}

function checkHistogram(entry: Family): void {
  const groups = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const sample of entry.samples) {
    const { le, ...rest } = sample.labels;
    const key = seriesKey({ ...sample, name: '', labels: rest });
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { buckets: [] }));
    if (sample.name === `${entry.name}_bucket`) group.buckets.push([parseValue(le!, `histogram ${entry.name}`), sample.value]);
    else if (sample.name === `${entry.name}_sum`) group.sum = sample.value;
    else if (sample.name === `${entry.name}_count`) group.count = sample.value;
    else throw new ExpositionError(`histogram ${entry.name}: unexpected sample ${sample.name}`);
  }
  for (const [key, group] of groups) {
    const buckets = group.buckets.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < buckets.length; i++) {
      if (buckets[i]![1] < buckets[i - 1]![1]) throw new ExpositionError(`histogram ${entry.name}${key}: bucket le=${buckets[i]![0]} is smaller than the one before`);
    }
    const last = buckets[buckets.length - 1];
    if (!last || last[0] !== Infinity) throw new ExpositionError(`histogram ${entry.name}${key}: no le="+Inf" bucket`);
    if (group.count !== last[1]) throw new ExpositionError(`histogram ${entry.name}${key}: _count ${group.count} differs from the +Inf bucket ${last[1]}`);
    if (group.sum === undefined) throw new ExpositionError(`histogram ${entry.name}${key}: no _sum`);
  }
}

/** The sum of a family's samples named `sample` whose labels match every test in `where`. */
export function total(families: Map<string, Family>, family: string, sample: string, where: Record<string, (value: string | undefined) => boolean> = {}): number {
  const samples = families.get(family)?.samples ?? [];
  return samples
    .filter((entry) => entry.name === sample && Object.entries(where).every(([label, test]) => test(entry.labels[label])))
    .reduce((sum, entry) => sum + entry.value, 0);
}
