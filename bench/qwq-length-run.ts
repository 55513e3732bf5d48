/**
 * The report benchmark's QwQ-length run: 5,000 results whose traces are the calibrated twin's own
 * (sim-qwq, in-process, no HTTP) on the real MATH-500 items, so their lengths follow the twin's
 * MATH-500 distribution (mean ~4,650 tokens per response, calibrated against QwQ-32B: see
 * src/sim/CALIBRATION.md) and their text is what the twin writes, not a small vocabulary that
 * compresses far better than reasoning does.
 *
 * Shape, as a real suite would produce it: problems x samples x 5 interventions. Each problem x
 * sample has its own trunk (a full generation with its own seed: no text is reused across samples
 * or problems); a budget's branch is the trunk cut at its cap, a forced close and the answer the
 * twin writes from there; extend's is the trunk up to `</think>`, an injected "Wait" and the twin's
 * continuation; noThinking's is the prefill and the answer the twin writes after it. A branch shares
 * its trunk's prefix exactly as a real run's does (same seed); when a cap does not fire, the result
 * points at the trunk's trace, as the engine's content addressing runs identical nodes once, so no
 * duplicate trace is stored to flatter the file size.
 *
 * Confidence points are the twin's own truth read along each trunk (its probability of the right
 * answer at 16 evenly spaced thinking positions; L-hat as -ln of it); a branch keeps the points of
 * the prefix it shares. Reflection marks are the reflection words the twin wrote.
 */
import type { ResultSummary, RunData, TraceRecord, TraceSegment } from '../src/reports/run-data.ts';
import { createSimModel, loadAnswerKey, loadCard, NO_THINKING_PREFILL, type AnswerKeyEntry, type SimModelExt } from '../src/sim/model/index.ts';
import { generateAll, lastBoxed, renderQuestion } from '../src/sim/model/testing.ts';
import { interventionSummaries, syntheticRunShell } from '../tests/fixtures/synthetic-run.ts';

const SAMPLING = { temperature: 0.6, topK: 40, topP: 0.95 };
const CLOSE = '\n</think>\n\n';
const PROBES = 16;
const REFLECTION = /^\s*(Wait|Hmm|Alternatively|But)\b/;
export const QWQ_LENGTH_INTERVENTIONS = ['baseline', 'noThinking', 'budget(1024)', 'budget(2048)', 'extend(Wait x1)'] as const;

interface Trunk {
  prompt: string;
  tokens: string[];
  /** Tokens before `</think>` (all of them when the twin never closed its thinking). */
  thinking: number;
  /** pCorrect at each thinking token position, sampled at PROBES positions. */
  points: Array<{ position: number; pCorrect: number }>;
}

function trunkOf(model: SimModelExt, entry: AnswerKeyEntry, seed: number): Trunk {
  const prompt = renderQuestion(model, entry.question);
  const tokens = generateAll(model, prompt, { seed, ...SAMPLING }, 40_000).tokens.map((t) => t.token);
  const close = tokens.findIndex((t) => t.includes('</think>'));
  const thinking = close < 0 ? tokens.length : close;
  const at = new Set(Array.from({ length: PROBES }, (_, k) => Math.round(((k + 1) * thinking) / PROBES)));
  const reader = model.reader(prompt);
  const points: Trunk['points'] = [];
  for (let i = 0; i < thinking; i++) {
    reader.read(tokens[i] ?? '');
    if (at.has(i + 1)) points.push({ position: i + 1, pCorrect: reader.pCorrect() });
  }
  return { prompt, tokens, thinking, points };
}

const joined = (tokens: readonly string[]): string => tokens.join('');

/** Reflection words the twin wrote at the start of a sentence or paragraph, by token position, before `upTo`. */
function reflectionsIn(tokens: readonly string[], upTo: number): Array<{ position: number; word: string }> {
  const marks: Array<{ position: number; word: string }> = [];
  for (let i = 0; i < Math.min(upTo, tokens.length); i++) {
    const word = REFLECTION.exec(tokens[i] ?? '')?.[1];
    const before = i > 0 ? (tokens[i - 1] ?? '') : '\n';
    if (word && /[\n.]\s*$/.test(before)) marks.push({ position: i, word });
  }
  return marks;
}

function confidenceOf(points: Trunk['points'], upTo: number, thinking: number, textUpTo: (position: number) => number): ResultSummary['confidence'] {
  return points
    .filter((p) => p.position <= upTo)
    .map((p) => ({ position: p.position, normalized: p.position / Math.max(1, thinking), pCorrect: p.pCorrect, lhat: -Math.log(Math.max(p.pCorrect, 1e-12)), offset: textUpTo(p.position) }));
}

interface Branch {
  segments: TraceSegment[];
  thinking: number;
  answerTokens: number;
  answerText: string;
  capFired: boolean;
  /** Thinking tokens shared with the trunk (its confidence points up to there apply). */
  shared: number;
}

function branches(model: SimModelExt, trunk: Trunk, seed: number): Map<string, Branch | 'trunk'> {
  const sampling = { seed, ...SAMPLING };
  const out = new Map<string, Branch | 'trunk'>();
  out.set('baseline', 'trunk');
  const prefill = NO_THINKING_PREFILL.endsWith('\n') ? NO_THINKING_PREFILL : `${NO_THINKING_PREFILL}${CLOSE}`;
  const bare = generateAll(model, trunk.prompt + prefill, sampling, 4_000).tokens.map((t) => t.token);
  out.set('noThinking', { segments: [{ kind: 'prompt', text: trunk.prompt }, { kind: 'injected', text: prefill, label: 'noThinking' }, { kind: 'generated', text: joined(bare) }], thinking: 0, answerTokens: bare.length, answerText: joined(bare), capFired: false, shared: 0 });
  for (const cap of [1024, 2048]) {
    const label = `budget(${cap})`;
    if (trunk.thinking <= cap) {
      out.set(label, 'trunk');
      continue;
    }
    const kept = joined(trunk.tokens.slice(0, cap));
    const answer = generateAll(model, trunk.prompt + kept + CLOSE, sampling, 4_000).tokens.map((t) => t.token);
    out.set(label, { segments: [{ kind: 'prompt', text: trunk.prompt }, { kind: 'generated', text: kept }, { kind: 'injected', text: CLOSE, label }, { kind: 'generated', text: joined(answer) }], thinking: cap, answerTokens: answer.length, answerText: joined(answer), capFired: true, shared: cap });
  }
  const thought = joined(trunk.tokens.slice(0, trunk.thinking));
  const more = generateAll(model, `${trunk.prompt}${thought}Wait`, sampling, 20_000).tokens.map((t) => t.token);
  const close = more.findIndex((t) => t.includes('</think>'));
  const extra = close < 0 ? more.length : close;
  out.set('extend(Wait x1)', {
    segments: [{ kind: 'prompt', text: trunk.prompt }, { kind: 'generated', text: thought }, { kind: 'injected', text: 'Wait', label: 'extend(Wait x1)' }, { kind: 'generated', text: joined(more) }],
    thinking: trunk.thinking + 1 + extra,
    answerTokens: more.length - extra,
    answerText: joined(more.slice(extra)),
    capFired: false,
    shared: trunk.thinking,
  });
  return out;
}

/**
 * `problems` MATH-500 items (the first ones of the file, cycled when more are asked) x `samples`
 * seeds x the 5 interventions. Needs ../shared/datasets/math500.jsonl.
 */
export function qwqLengthRun(options: { datasetFile: string; problems: number; samples: number }): RunData {
  const key = loadAnswerKey(options.datasetFile);
  const entries = Array.from({ length: options.problems }, (_, i) => key[i % key.length] as AnswerKeyEntry);
  const model = createSimModel(loadCard('sim-qwq'), { answers: key });
  const traces: TraceRecord[] = [];
  const results: ResultSummary[] = [];
  const problems = entries.map((e, i) => ({ id: `math500-${String(i).padStart(4, '0')}`, question: e.question, answer: e.answer, source: 'math500', ...(e.difficulty === undefined ? {} : { difficulty: e.difficulty }) }));
  for (const [pi, entry] of entries.entries()) {
    for (let sample = 0; sample < options.samples; sample++) {
      const seed = 1 + sample + options.samples * Math.floor(pi / key.length);
      const trunk = trunkOf(model, entry, seed);
      const trunkIndex = traces.length;
      const trunkText = joined(trunk.tokens);
      const offsets = (position: number): number => joined(trunk.tokens.slice(0, position)).length;
      const trunkConfidence = confidenceOf(trunk.points, trunk.thinking, trunk.thinking, offsets);
      traces.push({ segments: [{ kind: 'prompt', text: trunk.prompt }, { kind: 'generated', text: trunkText }], probes: trunkConfidence.map(({ offset, position, lhat, pCorrect }) => ({ offset: offset ?? 0, position, ...(lhat === undefined ? {} : { lhat }), ...(pCorrect === undefined ? {} : { pCorrect }) })) });
      for (const [label, branch] of branches(model, trunk, seed)) {
        const isTrunk = branch === 'trunk';
        const answerText = isTrunk ? joined(trunk.tokens.slice(trunk.thinking)) : branch.answerText;
        const thinking = isTrunk ? trunk.thinking : branch.thinking;
        const confidence = isTrunk ? trunkConfidence : confidenceOf(trunk.points, branch.shared, Math.max(1, branch.thinking), offsets);
        let trace = trunkIndex;
        if (!isTrunk) {
          trace = traces.length;
          traces.push({ segments: branch.segments, probes: confidence.map(({ offset, position, lhat, pCorrect }) => ({ offset: offset ?? 0, position, ...(lhat === undefined ? {} : { lhat }), ...(pCorrect === undefined ? {} : { pCorrect }) })) });
        }
        const answer = lastBoxed(answerText);
        results.push({
          problemId: problems[pi]?.id ?? '',
          intervention: label,
          sample,
          ...(answer === undefined ? {} : { answer }),
          correct: answer !== undefined && answer.trim() === entry.answer.trim(),
          thinkingTokens: thinking,
          answerTokens: isTrunk ? trunk.tokens.length - trunk.thinking : branch.answerTokens,
          capFired: !isTrunk && branch.capFired,
          confidence,
          reflections: reflectionsIn(trunk.tokens, isTrunk ? trunk.thinking : branch.shared),
          trace,
        });
      }
    }
  }
  return { ...syntheticRunShell('math500-qwq-length'), interventions: interventionSummaries([...QWQ_LENGTH_INTERVENTIONS], results), problems, results, traces };
}
