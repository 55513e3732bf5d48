import type { RunData } from '../../run-data.ts';
import { loadRunData } from './data.ts';
import { clear, el } from './dom.ts';
import { renderCompare } from './views/compare.ts';
import { renderConfidence } from './views/confidence.ts';
import { renderCost } from './views/cost.ts';
import { renderOverview } from './views/overview.ts';
import { renderProblems } from './views/problems.ts';
import { renderTraceViewer } from './views/trace.ts';

type Tab = 'compare' | 'overview' | 'cost' | 'confidence' | 'problems' | 'trace';
const TABS: Array<[Tab, string]> = [
  ['overview', 'Overview'],
  ['cost', 'Cost vs accuracy'],
  ['confidence', 'Confidence'],
  ['problems', 'Problems'],
  ['trace', 'Trace viewer'],
];

function start(data: RunData): void {
  const root = document.getElementById('app');
  if (!root) return;
  clear(root);
  document.title = `thinkprobe — ${data.run.suite} — ${data.run.model}`;
  const nav = el('nav');
  const main = el('main');
  // Views are built the first time their tab opens, so a 5,000-trace run opens fast.
  const built = new Map<Tab, HTMLElement>();
  const trace = { viewer: undefined as ReturnType<typeof renderTraceViewer> | undefined };
  const traceViewer = (): ReturnType<typeof renderTraceViewer> => (trace.viewer ??= renderTraceViewer(data));

  const show = (tab: Tab): void => {
    let view = built.get(tab);
    if (!view) {
      view =
        tab === 'compare'
          ? renderCompare(data)
          : tab === 'overview'
          ? renderOverview(data)
          : tab === 'cost'
            ? renderCost(data)
            : tab === 'confidence'
              ? renderConfidence(data)
              : tab === 'problems'
                ? renderProblems(data, (result) => {
                    show('trace');
                    traceViewer().open(result);
                  })
                : traceViewer().section;
      built.set(tab, view);
    }
    clear(main);
    main.append(view);
    for (const button of nav.querySelectorAll('button')) button.classList.toggle('active', button.dataset.tab === tab);
  };

  const tabs: Array<[Tab, string]> = data.comparison ? [['compare', 'B against A'], ...TABS] : TABS;
  for (const [tab, label] of tabs) {
    const button = el('button', { dataset: { tab } }, label);
    button.addEventListener('click', () => show(tab));
    nav.append(button);
  }
  root.append(el('header', {}, el('h1', {}, 'thinkprobe'), el('span', { class: 'subtitle' }, `${data.run.suite} · ${data.run.model} · ${data.run.id}`)), nav, main);
  show(data.comparison ? 'compare' : 'overview');
  document.body.dataset.ready = 'true';
}

loadRunData()
  .then(start)
  .catch((error: unknown) => {
    const root = document.getElementById('app');
    if (root) root.textContent = `This report could not be read: ${error instanceof Error ? error.message : String(error)}`;
  });
