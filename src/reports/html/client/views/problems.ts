import type { ResultSummary, RunData } from '../../../run-data.ts';
import { clear, el } from '../dom.ts';

const PAGE = 100;

export interface Row {
  id: string;
  difficulty: number | undefined;
  source: string;
  answer: string;
  /** Correct share per intervention label. */
  scores: Map<string, { correct: number; n: number; flip?: 'gained' | 'lost' }>;
  flips: number;
}

export function problemRows(data: RunData): Row[] {
  const rows = new Map<string, Row>();
  for (const p of data.problems) {
    rows.set(p.id, { id: p.id, difficulty: p.difficulty, source: p.source ?? '', answer: p.answer, scores: new Map(), flips: 0 });
  }
  for (const r of data.results) {
    const row = rows.get(r.problemId);
    if (!row) continue;
    const score = row.scores.get(r.intervention) ?? { correct: 0, n: 0 };
    score.n += 1;
    if (r.correct) score.correct += 1;
    if (r.flip) {
      score.flip = r.flip;
      row.flips += 1;
    }
    row.scores.set(r.intervention, score);
  }
  return [...rows.values()];
}

interface TableState {
  sortKey: string;
  descending: boolean;
  filter: string;
  onlyFlips: boolean;
  page: number;
}

function sortValue(row: Row, key: string): number | string {
  if (key === 'id') return row.id;
  if (key === 'difficulty') return row.difficulty ?? -1;
  if (key === 'flips') return row.flips;
  const s = row.scores.get(key);
  return s && s.n > 0 ? s.correct / s.n : -1;
}

/** The rows the filter lets through, in the chosen order (ties by id, so the order is stable). */
export function visibleRows(all: readonly Row[], state: Pick<TableState, 'sortKey' | 'descending' | 'filter' | 'onlyFlips'>): Row[] {
  const needle = state.filter.toLowerCase();
  const matches = (r: Row): boolean => !needle || r.id.toLowerCase().includes(needle) || r.source.toLowerCase().includes(needle) || r.answer.toLowerCase().includes(needle);
  return all
    .filter((r) => (!state.onlyFlips || r.flips > 0) && matches(r))
    .sort((a, b) => {
      const x = sortValue(a, state.sortKey);
      const y = sortValue(b, state.sortKey);
      const order = x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
      return state.descending ? -order : order;
    });
}

function headerRow(keys: readonly string[], state: TableState, sortBy: (key: string) => void): HTMLTableSectionElement {
  const head = el('tr');
  for (const key of keys) {
    const th = el('th', { class: 'sortable', dataset: { key } }, key, key === state.sortKey ? (state.descending ? ' ▾' : ' ▴') : '');
    th.addEventListener('click', () => sortBy(key));
    head.append(th);
  }
  return el('thead', {}, head);
}

type Score = Row['scores'] extends Map<string, infer S> ? S : never;

function scoreCell(score: Score | undefined, open: () => void): HTMLTableCellElement {
  const cell = el('td', { class: score ? (score.correct === score.n ? 'ok' : score.correct === 0 ? 'bad' : 'mixed') : '' });
  if (!score) return cell;
  cell.textContent = score.n === 1 ? (score.correct ? '✓' : '✗') : `${score.correct}/${score.n}`;
  if (score.flip) cell.append(el('span', { class: `flip flip-${score.flip}`, title: `${score.flip} against golden` }, score.flip === 'lost' ? ' ↓' : ' ↑'));
  cell.classList.add('link');
  cell.addEventListener('click', open);
  return cell;
}

/** The first result of each problem and intervention: what a click on its cell opens. */
function firstResults(data: RunData): Map<string, ResultSummary> {
  const first = new Map<string, ResultSummary>();
  for (const r of data.results) {
    const key = `${r.problemId}\u0000${r.intervention}`;
    if (!first.has(key)) first.set(key, r);
  }
  return first;
}

export function pagerControls(page: number, pages: number, go: (page: number) => void): Node[] {
  if (pages <= 1) return [];
  const prev = el('button', {}, '‹ previous');
  prev.disabled = page === 0;
  prev.addEventListener('click', () => go(page - 1));
  const next = el('button', {}, 'next ›');
  next.disabled = page >= pages - 1;
  next.addEventListener('click', () => go(page + 1));
  return [prev, document.createTextNode(` page ${page + 1} of ${pages} `), next];
}

/** One page of the table at a time (PAGE rows): a 5,000-problem run draws 100 rows, not 5,000. */
export function renderProblems(data: RunData, openTrace: (result: ResultSummary) => void): HTMLElement {
  const labels = data.interventions.map((i) => i.label);
  const all = problemRows(data);
  const results = firstResults(data);
  const state: TableState = { sortKey: 'id', descending: false, filter: '', onlyFlips: false, page: 0 };
  const search = el('input', { class: 'filter' });
  search.type = 'search';
  search.placeholder = 'filter by id, source or answer';
  const flipsOnly = el('input', { id: 'flips-only' });
  flipsOnly.type = 'checkbox';
  const counter = el('span', { class: 'count' });
  const table = el('table', { class: 'problems' });
  const pager = el('div', { class: 'pager' });

  const draw = (): void => {
    const visible = visibleRows(all, state);
    const pages = Math.ceil(visible.length / PAGE);
    state.page = Math.min(state.page, Math.max(0, pages - 1));
    counter.textContent = `${visible.length} of ${all.length} problems`;
    clear(table);
    table.append(
      headerRow(['id', 'difficulty', ...labels, 'flips'], state, (key) => {
        state.descending = key === state.sortKey ? !state.descending : false;
        state.sortKey = key;
        draw();
      }),
    );
    const body = el('tbody');
    for (const row of visible.slice(state.page * PAGE, (state.page + 1) * PAGE)) {
      const cells = labels.map((label) =>
        scoreCell(row.scores.get(label), () => {
          const result = results.get(`${row.id}\u0000${label}`);
          if (result) openTrace(result);
        }),
      );
      body.append(el('tr', { dataset: { problem: row.id } }, el('td', {}, row.id), el('td', {}, row.difficulty ?? ''), ...cells, el('td', {}, row.flips || '')));
    }
    table.append(body);
    clear(pager);
    pager.append(
      ...pagerControls(state.page, pages, (page) => {
        state.page = page;
        draw();
      }),
    );
  };
  const refilter = (): void => {
    state.filter = search.value;
    state.onlyFlips = flipsOnly.checked;
    state.page = 0;
    draw();
  };
  search.addEventListener('input', refilter);
  flipsOnly.addEventListener('change', refilter);
  draw();
  return el(
    'section',
    { id: 'problems' },
    el('h2', {}, 'Problems'),
    el('div', { class: 'toolbar' }, search, el('label', {}, flipsOnly, ' only flips against golden'), counter),
    table,
    pager,
  );
}
