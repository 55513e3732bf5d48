import { describe, expect, it } from 'vitest';
import { echoedScore } from './openai.ts';

describe('echoedScore', () => {
  it('takes the continuation tokens, rebuilding characters split across byte tokens', () => {
    const prompt = 'ab{π';
    const reply = {
      choices: [
        {
          text: `${prompt}x`,
          logprobs: { tokens: ['ab', '{', 'bytes:\\xcf', 'bytes:\\x80', 'x'], token_logprobs: [null, -1, -0.5, -0.25, -2], top_logprobs: [null, {}, {}, {}, {}], text_offset: [0, 2, 3, 3, 4] },
        },
      ],
    };
    expect(echoedScore(reply, 3, prompt)).toEqual({ tokens: [{ text: '', logprob: -0.5 }, { text: 'π', logprob: -0.25 }], aligned: true });
    expect(echoedScore(reply, 2, prompt)).toEqual({ tokens: [{ text: '{', logprob: -1 }, { text: '', logprob: -0.5 }, { text: 'π', logprob: -0.25 }], aligned: true });
    // The context ends inside a token: scored, flagged as not aligned.
    expect(echoedScore(reply, 1, prompt)?.aligned).toBe(false);
    // No echo: undefined, so the caller scores token by token.
    expect(echoedScore({ choices: [{ text: 'x', logprobs: null }] }, 3, prompt)).toBeUndefined();
  });
});
