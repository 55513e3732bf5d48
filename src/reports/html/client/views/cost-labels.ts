/**
 * Places point labels so they neither overlap nor leave the chart: each label sits right of its
 * point (left of it near the right edge), and labels that would collide are pushed down in the
 * order of their points' heights. Works in pixels, with the chart's own linear scales.
 */
export interface LabelInput {
  x: number;
  y: number;
  text: string;
}

export interface PlacedLabel extends LabelInput {
  dx: number;
  dy: number;
  anchor: 'start' | 'end';
}

export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const CHAR_WIDTH = 6.6;
const LINE_HEIGHT = 14;

export function labelWidth(text: string): number {
  return text.length * CHAR_WIDTH;
}

export function placeLabels(labels: LabelInput[], frame: Frame, xDomain: [number, number], yDomain: [number, number]): PlacedLabel[] {
  const px = (x: number): number => frame.left + ((x - xDomain[0]) / (xDomain[1] - xDomain[0] || 1)) * (frame.width - frame.left - frame.right);
  const py = (y: number): number => frame.height - frame.bottom - ((y - yDomain[0]) / (yDomain[1] - yDomain[0] || 1)) * (frame.height - frame.top - frame.bottom);
  const boxes: Array<{ x0: number; x1: number; y0: number; y1: number }> = [];
  const order = labels.map((label, i) => ({ label, i, x: px(label.x), y: py(label.y) })).sort((a, b) => a.y - b.y || a.x - b.x);
  const placed: PlacedLabel[] = new Array<PlacedLabel>(labels.length);
  for (const { label, i, x, y } of order) {
    const width = labelWidth(label.text);
    const anchor: 'start' | 'end' = x + 8 + width > frame.width - 4 ? 'end' : 'start';
    const x0 = anchor === 'start' ? x + 8 : x - 8 - width;
    let top = y - LINE_HEIGHT / 2;
    for (let guard = 0; guard < labels.length + 1; guard++) {
      const hit = boxes.find((b) => x0 < b.x1 && x0 + width > b.x0 && top < b.y1 && top + LINE_HEIGHT > b.y0);
      if (!hit) break;
      top = hit.y1 + 1;
    }
    boxes.push({ x0, x1: x0 + width, y0: top, y1: top + LINE_HEIGHT });
    placed[i] = { ...label, anchor, dx: anchor === 'start' ? 8 : -8, dy: top + LINE_HEIGHT / 2 - y };
  }
  return placed;
}

/** A domain with room around its points, never of zero width (one point, or all points at one cost). */
export function paddedDomain(values: number[], floor = 0): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [floor, floor + 1];
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const pad = max > min ? (max - min) * 0.08 : Math.max(1, Math.abs(max) * 0.05);
  return [Math.max(floor, min - pad), max + pad];
}
