import * as Plot from '@observablehq/plot';
import type { ResultSummary, RunData, TraceRecord } from '../../../run-data.ts';
import { clear, el } from '../dom.ts';
import type { TraceSource } from '../data.ts';
import { REFLECTION_WORDS } from '../../../../confidence/positions.ts';

// The same phrases the confidence stage and RaML's statistic use, longest first so "But wait" wins over "Wait".
const REFLECTION = new RegExp(
  `\\b(${[...REFLECTION_WORDS].sort((a, b) => b.length - a.length).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\b`,
  'g',
);

/** Splits generated text into plain text and highlighted reflection words. */
function withReflections(text: string): Node[] {
  const nodes: Node[] = [];
  let last = 0;
  for (const match of text.matchAll(REFLECTION)) {
    const at = match.index ?? 0;
    if (at > last) nodes.push(document.createTextNode(text.slice(last, at)));
    nodes.push(el('span', { class: 'reflection' }, match[0]));
    last = at + match[0].length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

function probeLabel(p: TraceRecord['probes'][number]): string {
  const parts = [`token ${p.position}`];
  if (typeof p.pCorrect === 'number') parts.push(`p(correct) ${p.pCorrect.toFixed(3)}`);
  if (typeof p.lhat === 'number') parts.push(`L-hat ${p.bounded ? '>= ' : ''}${p.lhat.toFixed(3)}${p.bounded ? ' (bound: a reference token was outside the top 20)' : ''}`);
  return parts.join(', ');
}

const WORD_CHARACTER = /[\p{L}\p{N}_'’-]/u;

/**
 * A probe sits after a token, and tokens often end inside a word; the marker moves to the end of
 * that word so it never splits one (its title still names the exact token position).
 */
export function wordAlignedOffset(text: string, offset: number): number {
  let at = Math.max(0, Math.min(offset, text.length));
  while (at > 0 && at < text.length && WORD_CHARACTER.test(text[at - 1] ?? '') && WORD_CHARACTER.test(text[at] ?? '')) at += 1;
  return at;
}

/** The trace as text: injected segments marked, reflection words highlighted, probe markers at their offsets. */
export function renderTraceText(trace: TraceRecord): HTMLElement {
  const body = el('div', { class: 'trace-text' });
  const visible = trace.segments.filter((s) => s.kind !== 'prompt').map((s) => s.text).join('');
  const probes = trace.probes.map((p) => ({ ...p, offset: wordAlignedOffset(visible, p.offset) })).sort((a, b) => a.offset - b.offset);
  let probeIndex = 0;
  let offset = 0;
  for (const segment of trace.segments) {
    if (segment.kind === 'prompt') {
      body.append(el('details', { class: 'prompt' }, el('summary', {}, 'prompt'), el('pre', {}, segment.text)));
      continue;
    }
    const start = offset;
    const end = offset + segment.text.length;
    let cursor = start;
    const container =
      segment.kind === 'injected'
        ? el('mark', { class: 'injected', title: `injected by ${segment.label ?? 'intervention'}` })
        : el('span', { class: 'generated' });
    while (cursor < end) {
      const next = probes[probeIndex];
      const stop = next && next.offset >= cursor && next.offset < end ? next.offset : end;
      const piece = segment.text.slice(cursor - start, stop - start);
      if (segment.kind === 'generated') container.append(...withReflections(piece));
      else container.append(piece);
      cursor = stop;
      if (next && stop === next.offset && stop < end) {
        container.append(el('span', { class: 'probe', title: probeLabel(next) }, '◆'));
        probeIndex += 1;
      }
    }
    body.append(container);
    offset = end;
  }
  while (probeIndex < probes.length) {
    const p = probes[probeIndex++];
    if (p) body.append(el('span', { class: 'probe', title: probeLabel(p) }, '◆'));
  }
  return body;
}

function lineChart(points: Array<{ position: number; value: number }>, label: string, className: string, domain?: [number, number]): Element {
  const chart = Plot.plot({
    width: 440,
    height: 190,
    marginLeft: 56,
    marginRight: 20,
    grid: true,
    x: { label: 'thinking tokens before the probe', tickFormat: ',.0f', ticks: 5 },
    y: { label, ...(domain ? { domain } : { nice: true }) },
    marks: [Plot.line(points, { x: 'position', y: 'value', marker: 'circle', stroke: '#4269d0' })],
  });
  chart.classList.add('chart', 'chart-trace', className);
  return chart;
}

/** p(correct) and L-hat have different units and ranges: each gets its own labelled axis. */
function traceCharts(result: ResultSummary): HTMLElement | null {
  const measured = result.confidence.filter((c) => c.bounded !== true);
  const p = measured.flatMap((c) => (typeof c.pCorrect === 'number' ? [{ position: c.position, value: c.pCorrect }] : []));
  const l = measured.flatMap((c) => (typeof c.lhat === 'number' ? [{ position: c.position, value: c.lhat }] : []));
  if (p.length < 2 && l.length < 2) return null;
  return el(
    'div',
    { class: 'row' },
    p.length > 1 ? lineChart(p, 'p(correct answer)', 'chart-trace-pcorrect', [0, 1]) : null,
    l.length > 1 ? lineChart(l, 'L-hat (nats per token)', 'chart-trace-lhat') : null,
  );
}

function traceLegend(): HTMLElement {
  return el(
    'div',
    { class: 'legend trace-legend' },
    el('span', {}, el('mark', { class: 'injected' }, 'text'), ' injected by the intervention'),
    el('span', {}, el('span', { class: 'reflection' }, 'Wait'), ' reflection word'),
    el('span', {}, el('span', { class: 'probe' }, '◆'), ' confidence probe (hover for its position and values)'),
  );
}

/** The intervention whose results carry the most confidence points: what a reader opens the viewer for. */
export function mostInformativeIntervention(data: RunData): string | undefined {
  const points = new Map<string, number>();
  for (const r of data.results) points.set(r.intervention, (points.get(r.intervention) ?? 0) + r.confidence.length);
  let best: string | undefined;
  let bestPoints = 0;
  for (const i of data.interventions) {
    const n = points.get(i.label) ?? 0;
    if (n > bestPoints) {
      best = i.label;
      bestPoints = n;
    }
  }
  return best;
}

/**
 * The trace text: drawn at once when its chunk is decoded, otherwise after decoding it, unless the
 * reader has moved on to another result by then.
 */
function traceText(result: ResultSummary, traces: TraceSource, isCurrent: () => boolean): HTMLElement {
  const missing = (): HTMLElement => el('p', { class: 'hint' }, 'The trace text was not stored for this result.');
  if (typeof result.trace !== 'number') return missing();
  const ready = traces.cached(result.trace);
  if (ready) return renderTraceText(ready);
  const slot = el('div', { class: 'trace-slot' }, el('p', { class: 'hint' }, 'Decoding the trace…'));
  void traces.load(result.trace).then(
    (trace) => {
      if (isCurrent()) slot.replaceWith(trace ? renderTraceText(trace) : missing());
    },
    (error: unknown) => {
      if (isCurrent()) slot.replaceWith(el('p', { class: 'result-error' }, `The trace could not be decoded: ${error instanceof Error ? error.message : String(error)}`));
    },
  );
  return slot;
}

export function renderTraceViewer(data: RunData, traces: TraceSource): { section: HTMLElement; open(result: ResultSummary): void } {
  const problemSelect = el('select', { class: 'problem-select' });
  const interventionSelect = el('select', { class: 'intervention-select' });
  const sampleSelect = el('select', { class: 'sample-select' });
  const view = el('div', { class: 'trace-view' });
  for (const p of data.problems) problemSelect.append(new Option(p.id, p.id));
  for (const i of data.interventions) interventionSelect.append(new Option(i.label, i.label));
  const samples = [...new Set(data.results.map((r) => r.sample))].sort((a, b) => a - b);
  for (const s of samples) sampleSelect.append(new Option(`sample ${s}`, String(s)));

  let shown = 0;
  const show = (): void => {
    const current = ++shown;
    clear(view);
    const result = data.results.find(
      (r) => r.problemId === problemSelect.value && r.intervention === interventionSelect.value && String(r.sample) === sampleSelect.value,
    );
    const problem = data.problems.find((p) => p.id === problemSelect.value);
    if (!result || !problem) {
      view.append(el('p', { class: 'hint' }, 'No result for this combination.'));
      return;
    }
    view.append(
      el(
        'div',
        { class: `grade ${result.correct ? 'ok' : 'bad'}` },
        el('strong', {}, result.correct ? 'correct' : 'wrong'),
        ' — answer: ',
        el('code', {}, result.answer ?? '(none)'),
        ' — reference: ',
        el('code', {}, problem.answer),
        ` — ${result.thinkingTokens} thinking + ${result.answerTokens} answer tokens`,
        result.capFired ? ' — budget cap fired' : '',
        result.flip ? ` — ${result.flip} against golden` : '',
      ),
    );
    if (result.error) view.append(el('p', { class: 'result-error' }, `This result could not be produced: ${result.error}`));
    view.append(
      el('p', { class: 'question' }, problem.question),
    );
    const charts = traceCharts(result);
    if (charts) view.append(charts);
    view.append(traceText(result, traces, () => current === shown));
  };

  for (const select of [problemSelect, interventionSelect, sampleSelect]) select.addEventListener('change', show);
  const informative = mostInformativeIntervention(data);
  if (informative !== undefined) interventionSelect.value = informative;
  show();
  const section = el(
    'section',
    { id: 'trace' },
    el('h2', {}, 'Trace viewer'),
    el('div', { class: 'toolbar' }, problemSelect, interventionSelect, sampleSelect),
    traceLegend(),
    view,
  );
  return {
    section,
    open(result) {
      problemSelect.value = result.problemId;
      interventionSelect.value = result.intervention;
      sampleSelect.value = String(result.sample);
      show();
    },
  };
}
