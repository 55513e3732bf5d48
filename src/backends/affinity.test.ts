import { describe, expect, it } from 'vitest';
import { TreeKeys, userTurn } from './affinity.ts';

const chatml = (q: string) => `<|im_start|>user\n${q}<|im_end|>\n<|im_start|>assistant\n<think>\n`;
const r1 = (q: string) => `<｜begin▁of▁sentence｜><｜User｜>${q}<｜Assistant｜><think>\n`;

describe('tree keys', () => {
  it('gives every request of one problem x sample the same key, whatever follows the assistant turn', () => {
    const keys = new TreeKeys();
    const trunk = keys.key(chatml('What is 2+2?'), 7);
    expect(keys.key(`${chatml('What is 2+2?')}Let me add. Wait`, 7)).toEqual(trunk);
    expect(keys.key(`${chatml('What is 2+2?')}Okay, I think I have finished thinking.\n</think>\n\n`, 7)).toEqual(trunk);
    expect(keys.key(`${r1('What is 2+2?')}so 4`, 7).tree).toBe(keys.key(r1('What is 2+2?'), 7).tree);
  });

  it('separates samples (seeds) and problems, and groups a problem across samples', () => {
    const keys = new TreeKeys();
    const a = keys.key(chatml('What is 2+2?'), 1);
    expect(keys.key(chatml('What is 2+2?'), 2).tree).not.toBe(a.tree);
    expect(keys.key(chatml('What is 2+2?'), 2).problem).toBe(a.problem);
    expect(keys.key(chatml('What is 2+3?'), 1).tree).not.toBe(a.tree);
    // A question that mentions the marker text only after the user turn still cuts at the first marker.
    expect(userTurn(`${chatml('x')}<|im_start|>assistant`)).toBe('<|im_start|>user\nx<|im_end|>\n<|im_start|>assistant');
  });

  it('without a known marker, joins the tree whose first prompt a request extends', () => {
    const keys = new TreeKeys();
    const root = keys.key('USER: q1\nBOT:', 3);
    expect(keys.key('USER: q1\nBOT: thinking... Wait', 3)).toEqual(root);
    expect(keys.key('USER: q2\nBOT:', 3).tree).not.toBe(root.tree);
  });
});
