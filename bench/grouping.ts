/**
 * `npm run bench:grouping`: how well log0's message templates group logs, scored on the LogPAI Loghub 2k
 * samples (16 systems, 2,000 messages each, with ground-truth templates), and how fast templating is.
 *
 * For each system, log0's messageTemplate runs over the `Content` column of
 * `<System>/<System>_2k.log_structured_corrected.csv` (the labels corrected by Khan et al., ICSE'22), and
 * the result is scored exactly as the Loghub-2.0 evaluator does (BASELINES.md beside the data):
 *  - lines whose ground-truth EventTemplate is null (empty, or a string pandas reads as NaN) are dropped;
 *  - GA: a ground-truth group (lines sharing one EventTemplate) is correct iff all its lines share one
 *    template of log0's and no other line has it; GA = lines in correct groups / lines. The grouping is by
 *    log0's templates as written (typed placeholders), since the fingerprint, hence the incident, is;
 *  - FGA: harmonic mean of correct groups / predicted groups and correct groups / ground-truth groups;
 *  - PA: lines whose template, with log0's placeholders mapped to `<*>` (genericTemplate), equals the ground
 *    truth exactly;
 *  - FTA: a template of log0's is correct iff every one of its lines has exactly its generic form as ground
 *    truth; harmonic mean of correct / predicted templates and correct / ground-truth templates.
 * The published figures on the same labels (LogBatcher paper, ASE'24, column (C) of BASELINES.md) are
 * printed beside for comparison.
 *
 * Throughput: messages per second on one core (this process, one thread) of messageTemplate alone and of
 * the whole normalizeLog, over all the Content messages, after a warm-up, best of several passes.
 *
 * Options:
 *   --data <dir>     dataset root (default: env LOG0_LOGHUB_DIR, else <repo>/../shared/datasets/loghub-2k)
 *   --loghub2        also score against the Loghub-2.0 re-annotated labels (loghub-2.0_2k_dataset/, 14 systems)
 *   --show <System>  print that system's mismatches (ground truth vs ours, grouped) and exit; with
 *                    --loghub2, against the Loghub-2.0 labels
 *   --limit <n>      with --show, at most n mismatching groups of each kind (default 60)
 *   --passes <n>     timed passes for throughput (default 5); 0 skips the throughput run
 *
 * The data is read from where it lies and never copied (its licence allows research use only). Not a
 * test: it prints figures, it asserts nothing, and it exits non-zero only when the data is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import type { RawLogEvent } from '../src/contracts/types.js';
import { normalizeLog } from '../src/services/normalization/normalize.js';
import { genericTemplate, messageTemplate } from '../src/services/normalization/template.js';

const SYSTEMS = [
  'HDFS', 'Hadoop', 'Spark', 'Zookeeper', 'BGL', 'HPC', 'Thunderbird', 'Windows',
  'Linux', 'Android', 'HealthApp', 'Apache', 'Proxifier', 'OpenSSH', 'OpenStack', 'Mac',
] as const;
type System = (typeof SYSTEMS)[number];

/** Published GA / PA on the Khan-corrected labels: LogBatcher paper (ASE'24), BASELINES.md column (C). */
const PUBLISHED: Record<string, Record<System | 'Average', [number, number]>> = {
  Drain: {
    HDFS: [0.998, 0.999], Hadoop: [0.948, 0.613], Spark: [0.920, 0.398], Zookeeper: [0.967, 0.799],
    BGL: [0.963, 0.479], HPC: [0.887, 0.662], Thunderbird: [0.957, 0.180], Windows: [0.997, 0.466],
    Linux: [0.422, 0.217], Android: [0.885, 0.750], HealthApp: [0.901, 0.375], Apache: [1.000, 0.978],
    Proxifier: [0.765, 0.704], OpenSSH: [0.789, 0.594], OpenStack: [0.224, 0.105], Mac: [0.814, 0.392],
    Average: [0.840, 0.544],
  },
  Brain: {
    HDFS: [0.998, 0.959], Hadoop: [0.950, 0.158], Spark: [0.998, 0.376], Zookeeper: [0.989, 0.779],
    BGL: [0.996, 0.426], HPC: [0.945, 0.660], Thunderbird: [0.971, 0.060], Windows: [0.997, 0.463],
    Linux: [0.358, 0.176], Android: [0.960, 0.253], HealthApp: [1.000, 0.261], Apache: [1.000, 0.984],
    Proxifier: [0.527, 0.704], OpenSSH: [1.000, 0.287], OpenStack: [0.492, 0.112], Mac: [0.949, 0.383],
    Average: [0.883, 0.440],
  },
  LILAC: {
    HDFS: [1.000, 1.000], Hadoop: [0.991, 0.958], Spark: [0.999, 0.983], Zookeeper: [1.000, 0.987],
    BGL: [0.983, 0.972], HPC: [0.970, 0.994], Thunderbird: [0.984, 0.913], Windows: [0.696, 0.685],
    Linux: [0.298, 0.422], Android: [0.953, 0.627], HealthApp: [0.998, 0.988], Apache: [1.000, 1.000],
    Proxifier: [1.000, 0.995], OpenSSH: [0.753, 0.805], OpenStack: [1.000, 0.977], Mac: [0.805, 0.562],
    Average: [0.902, 0.867],
  },
  LogBatcher: {
    HDFS: [1.000, 1.000], Hadoop: [0.990, 0.886], Spark: [0.998, 0.972], Zookeeper: [0.995, 0.988],
    BGL: [0.987, 0.941], HPC: [0.953, 0.943], Thunderbird: [0.914, 0.854], Windows: [1.000, 0.609],
    Linux: [0.998, 0.976], Android: [0.971, 0.787], HealthApp: [0.920, 0.914], Apache: [1.000, 0.978],
    Proxifier: [1.000, 0.986], OpenSSH: [1.000, 0.976], OpenStack: [1.000, 0.982], Mac: [0.831, 0.528],
    Average: [0.972, 0.895],
  },
};

/** Strings pandas' read_csv turns into NaN by default: the Loghub evaluator drops such ground truth. */
const PANDAS_NA = new Set([
  '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN',
  '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null',
]);

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    loghub2: { type: 'boolean', default: false },
    show: { type: 'string' },
    limit: { type: 'string', default: '60' },
    passes: { type: 'string', default: '5' },
  },
});

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataRoot = resolve(args.data ?? process.env.LOG0_LOGHUB_DIR ?? join(repoRoot, '..', 'shared', 'datasets', 'loghub-2k'));

interface Labelled {
  contents: string[];
  truths: string[];
}

function labelFile(root: string, system: string): string {
  return join(root, system, `${system}_2k.log_structured_corrected.csv`);
}

function load(root: string, system: string): Labelled {
  const rows = parse(readFileSync(labelFile(root, system)), { columns: true, bom: true }) as Array<Record<string, string>>;
  const contents: string[] = [];
  const truths: string[] = [];
  for (const row of rows) {
    const truth = row.EventTemplate;
    if (truth === undefined || PANDAS_NA.has(truth)) continue;
    contents.push(row.Content ?? '');
    truths.push(truth);
  }
  return { contents, truths };
}


interface Scores {
  ga: number;
  fga: number;
  pa: number;
  fta: number;
  truthGroups: number;
  predictedGroups: number;
}

/**
 * `grouped[i]`: log0's template of line i as the fingerprint sees it (placeholders as log0 writes them), which
 * decides GA and FGA, and which groups lines for FTA; `predicted[i]`: the same template in the generic form
 * (`<*>`), compared with the ground truth for PA and FTA.
 */
function score(truths: readonly string[], grouped: readonly string[], predicted: readonly string[]): Scores {
  const n = truths.length;
  const byTruth = new Map<string, number[]>();
  const predictedSize = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    let group = byTruth.get(truths[i]);
    if (group === undefined) byTruth.set(truths[i], (group = []));
    group.push(i);
    predictedSize.set(grouped[i], (predictedSize.get(grouped[i]) ?? 0) + 1);
  }
  let correctLines = 0;
  let correctGroups = 0;
  for (const lines of byTruth.values()) {
    const p = grouped[lines[0]];
    if (lines.every((i) => grouped[i] === p) && predictedSize.get(p) === lines.length) {
      correctLines += lines.length;
      correctGroups++;
    }
  }
  const pga = correctGroups / predictedSize.size;
  const rga = correctGroups / byTruth.size;

  let exact = 0;
  const truthsOfPredicted = new Map<string, { generic: string; truths: Set<string> }>();
  for (let i = 0; i < n; i++) {
    if (predicted[i] === truths[i]) exact++;
    let entry = truthsOfPredicted.get(grouped[i]);
    if (entry === undefined) truthsOfPredicted.set(grouped[i], (entry = { generic: predicted[i], truths: new Set() }));
    entry.truths.add(truths[i]);
  }
  let correctTemplates = 0;
  for (const { generic, truths: set } of truthsOfPredicted.values()) if (set.size === 1 && set.has(generic)) correctTemplates++;
  const pta = correctTemplates / truthsOfPredicted.size;
  const rta = correctTemplates / byTruth.size;
  return {
    ga: correctLines / n,
    fga: pga + rga === 0 ? 0 : (2 * pga * rga) / (pga + rga),
    pa: exact / n,
    fta: pta + rta === 0 ? 0 : (2 * pta * rta) / (pta + rta),
    truthGroups: byTruth.size,
    predictedGroups: truthsOfPredicted.size,
  };
}

const f3 = (x: number) => x.toFixed(3);
const pad = (s: string, w: number) => (s.length >= w ? s : s + ' '.repeat(w - s.length));
const lpad = (s: string, w: number) => (s.length >= w ? s : ' '.repeat(w - s.length) + s);

function requireData(root: string, systems: readonly string[]): void {
  const missing = systems.filter((s) => !existsSync(labelFile(root, s)));
  if (missing.length === 0) return;
  console.error(`bench:grouping: Loghub 2k labels not found under ${root} (missing: ${missing.join(', ')}).`);
  console.error('Point --data (or LOG0_LOGHUB_DIR) at the loghub-2k folder holding <System>/<System>_2k.log_structured_corrected.csv.');
  process.exit(2);
}

function evaluate(root: string, systems: readonly string[], title: string, withPublished: boolean): string[] {
  console.log(`\n${title}\n`);
  const header = [pad('System', 12), lpad('GA', 6), lpad('PA', 6), lpad('FGA', 6), lpad('FTA', 6), lpad('groups', 8), lpad('ours', 6)];
  if (withPublished) header.push('   ' + Object.keys(PUBLISHED).map((name) => pad(`${name} GA/PA`, 17)).join(''));
  console.log(header.join(' '));
  const sums = { ga: 0, pa: 0, fga: 0, fta: 0 };
  const allContents: string[] = [];
  for (const system of systems) {
    const { contents, truths } = load(root, system);
    allContents.push(...contents);
    const grouped = contents.map(messageTemplate);
    const s = score(truths, grouped, grouped.map(genericTemplate));
    sums.ga += s.ga;
    sums.pa += s.pa;
    sums.fga += s.fga;
    sums.fta += s.fta;
    const row = [pad(system, 12), lpad(f3(s.ga), 6), lpad(f3(s.pa), 6), lpad(f3(s.fga), 6), lpad(f3(s.fta), 6), lpad(String(s.truthGroups), 8), lpad(String(s.predictedGroups), 6)];
    if (withPublished) row.push('   ' + Object.values(PUBLISHED).map((p) => pad(`${f3(p[system as System][0])}/${f3(p[system as System][1])}`, 17)).join(''));
    console.log(row.join(' '));
  }
  const k = systems.length;
  const avg = [pad(`Average (${k})`, 12), lpad(f3(sums.ga / k), 6), lpad(f3(sums.pa / k), 6), lpad(f3(sums.fga / k), 6), lpad(f3(sums.fta / k), 6)];
  if (withPublished) avg.push(' '.repeat(17) + '   ' + Object.values(PUBLISHED).map((p) => pad(`${f3(p.Average[0])}/${f3(p.Average[1])}`, 17)).join(''));
  console.log(avg.join(' '));
  return allContents;
}

function show(root: string, system: string, limit: number): void {
  const { contents, truths } = load(root, system);
  const grouped = contents.map(messageTemplate);
  const predicted = grouped.map(genericTemplate);
  const s = score(truths, grouped, predicted);
  console.log(`${system}: GA ${f3(s.ga)}  PA ${f3(s.pa)}  FGA ${f3(s.fga)}  FTA ${f3(s.fta)}  (${s.truthGroups} truth groups, ${s.predictedGroups} ours)\n`);

  // Parsing mismatches: ground truth vs ours, one entry per distinct pair, with an example message.
  const pairs = new Map<string, { truth: string; ours: string; count: number; example: string }>();
  for (let i = 0; i < truths.length; i++) {
    if (predicted[i] === truths[i]) continue;
    const key = truths[i] + '\u0000' + predicted[i];
    const entry = pairs.get(key);
    if (entry) entry.count++;
    else pairs.set(key, { truth: truths[i], ours: predicted[i], count: 1, example: contents[i] });
  }
  const sorted = [...pairs.values()].sort((a, b) => b.count - a.count);
  console.log(`PA mismatches: ${sorted.reduce((n, e) => n + e.count, 0)} lines, ${sorted.length} distinct (truth → ours)`);
  for (const e of sorted.slice(0, limit)) {
    console.log(`  ×${e.count}\n    truth: ${e.truth}\n    ours:  ${e.ours}\n    msg:   ${e.example}`);
  }

  // Grouping mismatches (on log0's own templates, which the fingerprint groups by): truth groups split over
  // several templates, and templates merging truth groups.
  const byTruth = new Map<string, Map<string, number>>();
  const byOurs = new Map<string, Map<string, number>>();
  for (let i = 0; i < truths.length; i++) {
    const t = byTruth.get(truths[i]) ?? new Map<string, number>();
    t.set(grouped[i], (t.get(grouped[i]) ?? 0) + 1);
    byTruth.set(truths[i], t);
    const o = byOurs.get(grouped[i]) ?? new Map<string, number>();
    o.set(truths[i], (o.get(truths[i]) ?? 0) + 1);
    byOurs.set(grouped[i], o);
  }
  const lines = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const split = [...byTruth].filter(([, m]) => m.size > 1).sort((a, b) => lines(b[1]) - lines(a[1]));
  console.log(`\nSplit truth groups (one truth, several of ours): ${split.length}`);
  for (const [truth, m] of split.slice(0, limit)) {
    console.log(`  truth (${lines(m)} lines): ${truth}`);
    for (const [ours, count] of [...m].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`    ×${count} ${ours}`);
    if (m.size > 8) console.log(`    … ${m.size - 8} more`);
  }
  const merged = [...byOurs].filter(([, m]) => m.size > 1).sort((a, b) => lines(b[1]) - lines(a[1]));
  console.log(`\nMerged truth groups (one of ours, several truths): ${merged.length}`);
  for (const [ours, m] of merged.slice(0, limit)) {
    console.log(`  ours (${lines(m)} lines): ${ours}`);
    for (const [truth, count] of [...m].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`    ×${count} ${truth}`);
    if (m.size > 8) console.log(`    … ${m.size - 8} more`);
  }
}

function throughput(messages: readonly string[], passes: number): void {
  const events: RawLogEvent[] = messages.map((message, i) => ({
    eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    tenantId: '00000000-0000-4000-8000-000000000001',
    serviceName: 'bench',
    environment: 'bench',
    receivedAt: '2026-11-23T10:15:30.000Z',
    level: 'INFO',
    message,
  }) as RawLogEvent);
  let sink = 0;
  const best = (run: () => void): number => {
    run(); // warm-up
    run();
    let fastest = Infinity;
    for (let p = 0; p < passes; p++) {
      const started = process.hrtime.bigint();
      run();
      fastest = Math.min(fastest, Number(process.hrtime.bigint() - started) / 1e9);
    }
    return messages.length / fastest;
  };
  const templating = best(() => {
    for (let i = 0; i < messages.length; i++) sink += messageTemplate(messages[i]).length;
  });
  const normalizing = best(() => {
    for (let i = 0; i < events.length; i++) sink += normalizeLog(events[i]).fingerprint.length;
  });
  const chars = messages.reduce((n, m) => n + m.length, 0);
  console.log(`\nThroughput on one core (${messages.length} messages, mean ${(chars / messages.length).toFixed(0)} chars; best of ${passes} passes after warm-up):`);
  console.log(`  messageTemplate  ${Math.round(templating).toLocaleString('en-US')} messages/s`);
  console.log(`  normalizeLog     ${Math.round(normalizing).toLocaleString('en-US')} messages/s`);
  if (sink === 0) console.log(''); // keeps the work observable
}

const limit = Number(args.limit);
const passes = Number(args.passes);
if (args.show !== undefined) {
  const root = args.loghub2 ? join(dataRoot, 'loghub-2.0_2k_dataset') : dataRoot;
  const system = SYSTEMS.find((s) => s.toLowerCase() === args.show!.toLowerCase());
  if (system === undefined) {
    console.error(`bench:grouping: unknown system ${JSON.stringify(args.show)}; one of ${SYSTEMS.join(', ')}`);
    process.exit(2);
  }
  requireData(root, [system]);
  show(root, system, limit);
} else {
  requireData(dataRoot, SYSTEMS);
  const messages = evaluate(dataRoot, SYSTEMS, `Loghub 2k, Khan-corrected labels (${dataRoot}); published figures on the same labels beside (GA/PA)`, true);
  if (args.loghub2) {
    const root = join(dataRoot, 'loghub-2.0_2k_dataset');
    const systems = SYSTEMS.filter((s) => existsSync(labelFile(root, s)));
    requireData(root, systems);
    evaluate(root, systems, `Loghub-2.0 re-annotated labels (${root}), ${systems.length} systems`, false);
  }
  if (passes > 0) throughput(messages, passes);
}
