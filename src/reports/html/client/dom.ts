/**
 * The only way the report's client puts data on the page: elements built with textContent.
 * Model output never reaches innerHTML, attributes that can run code, or URLs.
 */

type Child = Node | string | number | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { class?: string; title?: string; id?: string; dataset?: Record<string, string> } = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.title !== undefined) node.title = props.title;
  if (props.id) node.id = props.id;
  for (const [key, value] of Object.entries(props.dataset ?? {})) node.dataset[key] = value;
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

export function percent(value: number): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '–';
}

export function round(value: number, digits = 0): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

/** Renders arbitrary JSON-able evidence as indented text (never as markup). */
export function jsonBlock(value: unknown): HTMLPreElement {
  return el('pre', { class: 'json' }, JSON.stringify(value, null, 2));
}
