import type { ResultSummary, RunData } from '../../../run-data.ts';
import { clear, el } from '../dom.ts';

const PAGE = 100;

interface Row {
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

export function renderProblems(data: RunData, openTrace: (result: ResultSummary) => void): HTMLElement {
  const labels = data.interventions.map((i) => i.label);
  const all = problemRows(data);
  let sortKey = 'id';
  let descending = false;
  let filter = '';
  let onlyFlips = false;
  let page = 0;

  const search = el('input', { class: 'filter' });
  search.type = 'search';
  search.placeholder = 'filter by id, source or answer';
  const flipsOnly = el('input');
  flipsOnly.type = 'checkbox';
  flipsOnly.id = 'flips-only';
  const counter = el('span', { class: 'count' });
  const table = el('table', { class: 'problems' });
  const pager = el('div', { class: 'pager' });

  const sortValue = (row: Row, key: string): number | string => {
    if (key === 'id') return row.id;
    if (key === 'difficulty') return row.difficulty ?? -1;
    if (key === 'flips') return row.flips;
    const s = row.scores.get(key);
    return s && s.n > 0 ? s.correct / s.n : -1;
  };

  const draw = (): void => {
    const needle = filter.toLowerCase();
    const visible = all
      .filter((r) => !onlyFlips || r.flips > 0)
      .filter((r) => !needle || r.id.toLowerCase().includes(needle) || r.source.toLowerCase().includes(needle) || r.answer.toLowerCase().includes(needle))
      .sort((a, b) => {
        const x = sortValue(a, sortKey);
        const y = sortValue(b, sortKey);
        const order = x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
        return descending ? -order : order;
      });
    page = Math.min(page, Math.max(0, Math.ceil(visible.length / PAGE) - 1));
    counter.textContent = `${visible.length} of ${all.length} problems`;
    clear(table);
    const head = el('tr');
    for (const key of ['id', 'difficulty', ...labels, 'flips']) {
      const th = el('th', { class: 'sortable', dataset: { key } }, key, key === sortKey ? (descending ? ' ▾' : ' ▴') : '');
      th.addEventListener('click', () => {
        descending = key === sortKey ? !descending : false;
        sortKey = key;
        draw();
      });
      head.append(th);
    }
    table.append(el('thead', {}, head));
    const body = el('tbody');
    for (const row of visible.slice(page * PAGE, (page + 1) * PAGE)) {
      const tr = el('tr', { dataset: { problem: row.id } }, el('td', {}, row.id), el('td', {}, row.difficulty ?? ''));
      for (const label of labels) {
        const s = row.scores.get(label);
        const cell = el('td', { class: s ? (s.correct === s.n ? 'ok' : s.correct === 0 ? 'bad' : 'mixed') : '' });
        if (s) {
          cell.textContent = s.n === 1 ? (s.correct ? '✓' : '✗') : `${s.correct}/${s.n}`;
          if (s.flip) cell.append(el('span', { class: `flip flip-${s.flip}`, title: `${s.flip} against golden` }, s.flip === 'lost' ? ' ↓' : ' ↑'));
          cell.classList.add('link');
          cell.addEventListener('click', () => {
            const result = data.results.find((r) => r.problemId === row.id && r.intervention === label);
            if (result) openTrace(result);
          });
        }
        tr.append(cell);
      }
      tr.append(el('td', {}, row.flips || ''));
      body.append(tr);
    }
    table.append(body);
    clear(pager);
    const pages = Math.ceil(visible.length / PAGE);
    if (pages > 1) {
      const prev = el('button', {}, '‹ previous');
      prev.disabled = page === 0;
      prev.addEventListener('click', () => {
        page -= 1;
        draw();
      });
      const next = el('button', {}, 'next ›');
      next.disabled = page >= pages - 1;
      next.addEventListener('click', () => {
        page += 1;
        draw();
      });
      pager.append(prev, ` page ${page + 1} of ${pages} `, next);
    }
  };

  search.addEventListener('input', () => {
    filter = search.value;
    page = 0;
    draw();
  });
  flipsOnly.addEventListener('change', () => {
    onlyFlips = flipsOnly.checked;
    page = 0;
    draw();
  });
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
