import type { RunData } from '../../run-data.ts';
import { attachConfidence, loadRunData, traceSource } from './data.ts';
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

/** Views that draw confidence points, which are decoded only when one of them first opens. */
const NEEDS_CONFIDENCE = new Set<Tab>(['confidence', 'trace']);

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
  const traceViewer = (): ReturnType<typeof renderTraceViewer> => (trace.viewer ??= renderTraceViewer(data, traceSource()));
  let selected: Tab = 'overview';

  const build = (tab: Tab): HTMLElement =>
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
                  void show('trace').then(() => traceViewer().open(result));
                })
              : traceViewer().section;

  const place = (tab: Tab, view: HTMLElement): void => {
    clear(main);
    main.append(view);
    for (const button of nav.querySelectorAll('button')) button.classList.toggle('active', button.dataset['tab'] === tab);
  };

  async function show(tab: Tab): Promise<void> {
    selected = tab;
    if (!built.has(tab) && NEEDS_CONFIDENCE.has(tab)) {
      place(tab, el('p', { class: 'hint' }, 'Decoding the confidence measurements…'));
      await attachConfidence(data);
      // The reader may have opened another tab meanwhile: build this one, show the one chosen last.
      if (selected !== tab) return;
    }
    let view = built.get(tab);
    if (!view) {
      view = build(tab);
      built.set(tab, view);
    }
    place(tab, view);
  }

  const tabs: Array<[Tab, string]> = data.comparison ? [['compare', 'B against A'], ...TABS] : TABS;
  for (const [tab, label] of tabs) {
    const button = el('button', { dataset: { tab } }, label);
    button.addEventListener('click', () => void show(tab));
    nav.append(button);
  }
  root.append(el('header', {}, el('h1', {}, 'thinkprobe'), el('span', { class: 'subtitle' }, `${data.run.suite} · ${data.run.model} · ${data.run.id}`)), nav, main);
  void show(data.comparison ? 'compare' : 'overview').then(() => {
    document.body.dataset['ready'] = 'true';
  });
}

loadRunData()
  .then(start)
  .catch((error: unknown) => {
    const root = document.getElementById('app');
    if (root) root.textContent = `This report could not be read: ${error instanceof Error ? error.message : String(error)}`;
  });
