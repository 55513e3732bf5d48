import * as Plot from '@observablehq/plot';
import type { ResultSummary, RunData, TraceRecord } from '../../../run-data.ts';
import { clear, el } from '../dom.ts';
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

/** The trace as text: injected segments marked, reflection words highlighted, probe markers at their offsets. */
export function renderTraceText(trace: TraceRecord): HTMLElement {
  const body = el('div', { class: 'trace-text' });
  const probes = [...trace.probes].sort((a, b) => a.offset - b.offset);
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

export function renderTraceViewer(data: RunData): { section: HTMLElement; open(result: ResultSummary): void } {
  const problemSelect = el('select', { class: 'problem-select' });
  const interventionSelect = el('select', { class: 'intervention-select' });
  const sampleSelect = el('select', { class: 'sample-select' });
  const view = el('div', { class: 'trace-view' });
  for (const p of data.problems) problemSelect.append(new Option(p.id, p.id));
  for (const i of data.interventions) interventionSelect.append(new Option(i.label, i.label));
  const samples = [...new Set(data.results.map((r) => r.sample))].sort((a, b) => a - b);
  for (const s of samples) sampleSelect.append(new Option(`sample ${s}`, String(s)));

  const show = (): void => {
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
    const points = result.confidence.filter((c) => c.bounded !== true && (typeof c.lhat === 'number' || typeof c.pCorrect === 'number'));
    if (points.length > 1) {
      const series = points.flatMap((c) => [
        ...(typeof c.pCorrect === 'number' ? [{ position: c.position, value: c.pCorrect, measure: 'p(correct)' }] : []),
        ...(typeof c.lhat === 'number' ? [{ position: c.position, value: c.lhat, measure: 'L-hat' }] : []),
      ]);
      const chart = Plot.plot({
        width: 900,
        height: 200,
        marginLeft: 50,
        grid: true,
        color: { legend: true },
        x: { label: 'thinking tokens' },
        y: { label: null },
        marks: [Plot.line(series, { x: 'position', y: 'value', stroke: 'measure', marker: 'circle' })],
      });
      chart.classList.add('chart', 'chart-trace');
      view.append(chart);
    }
    const trace = typeof result.trace === 'number' ? data.traces[result.trace] : undefined;
    view.append(trace ? renderTraceText(trace) : el('p', { class: 'hint' }, 'The trace text was not stored for this result.'));
  };

  for (const select of [problemSelect, interventionSelect, sampleSelect]) select.addEventListener('change', show);
  show();
  const section = el(
    'section',
    { id: 'trace' },
    el('h2', {}, 'Trace viewer'),
    el('div', { class: 'toolbar' }, problemSelect, interventionSelect, sampleSelect),
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
