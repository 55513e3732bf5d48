import { describe, expect, it } from 'vitest';
import { labelWidth, paddedDomain, placeLabels, type Frame } from './cost-labels.ts';

const frame: Frame = { width: 900, height: 420, left: 64, right: 30, top: 24, bottom: 44 };

function boxes(placed: ReturnType<typeof placeLabels>): Array<{ x0: number; x1: number; y0: number; y1: number }> {
  const px = (x: number): number => frame.left + (x / 1000) * (frame.width - frame.left - frame.right);
  const py = (y: number): number => frame.height - frame.bottom - y * (frame.height - frame.top - frame.bottom);
  return placed.map((p) => {
    const x = px(p.x) + p.dx;
    const w = labelWidth(p.text);
    const x0 = p.anchor === 'start' ? x : x - w;
    const cy = py(p.y) + p.dy;
    return { x0, x1: x0 + w, y0: cy - 7, y1: cy + 7 };
  });
}

describe('placeLabels', () => {
  it('pushes apart labels of points that nearly coincide', () => {
    const placed = placeLabels(
      [
        { x: 100, y: 0.55, text: 'noThinking' },
        { x: 101, y: 0.56, text: 'baseline' },
        { x: 102, y: 0.555, text: 'budget(512)' },
      ],
      frame,
      [0, 1000],
      [0, 1],
    );
    const b = boxes(placed);
    for (let i = 0; i < b.length; i++) {
      for (let j = i + 1; j < b.length; j++) {
        const overlap = Math.min(b[i]!.x1, b[j]!.x1) > Math.max(b[i]!.x0, b[j]!.x0) && Math.min(b[i]!.y1, b[j]!.y1) > Math.max(b[i]!.y0, b[j]!.y0);
        expect(overlap, `${placed[i]!.text} / ${placed[j]!.text}`).toBe(false);
      }
    }
  });

  it('puts a label left of a point at the right edge, so it stays inside the chart', () => {
    const [label] = placeLabels([{ x: 1000, y: 0.5, text: 'a rather long intervention label' }], frame, [0, 1000], [0, 1]);
    expect(label?.anchor).toBe('end');
    const [box] = boxes(label ? [label] : []);
    expect(box!.x1).toBeLessThanOrEqual(frame.width);
    const [left] = placeLabels([{ x: 0, y: 0.5, text: 'short' }], frame, [0, 1000], [0, 1]);
    expect(left?.anchor).toBe('start');
  });
});

describe('paddedDomain', () => {
  it('never has zero width, so coincident points get round ticks', () => {
    const [low, high] = paddedDomain([3038.666667, 3038.666667]);
    expect(high - low).toBeGreaterThan(1);
    expect(low).toBeLessThan(3038.666667);
    expect(high).toBeGreaterThan(3038.666667);
  });
  it('pads around a spread and does not go below the floor', () => {
    expect(paddedDomain([10, 110])).toEqual([2, 118]);
    expect(paddedDomain([0, 100])[0]).toBe(0);
  });
});
