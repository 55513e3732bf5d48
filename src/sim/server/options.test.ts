import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options.ts';
import { parseChatRequest, parseGenerateRequest } from './request.ts';
import { SlotPool } from './slots.ts';

describe('resolveOptions (Ollama FromMap rules)', () => {
  it('starts from Ollama defaults and the model stop strings', () => {
    expect(resolveOptions(undefined, ['<|im_end|>'], 32768)).toEqual({
      numPredict: -1,
      stop: ['<|im_end|>'],
      seed: -1,
      temperature: 0.8,
      topK: 40,
      topP: 0.9,
      numCtx: 4096,
    });
  });

  it('lets the request override, truncates integers, caps num_ctx at the model context', () => {
    const options = resolveOptions({ num_predict: 12.9, stop: ['Wait'], seed: 5, temperature: 0, top_k: 0, top_p: 1, num_ctx: 999_999, mystery: 'x' }, ['<|im_end|>'], 32768);
    expect(options).toEqual({ numPredict: 12, stop: ['Wait'], seed: 5, temperature: 0, topK: 0, topP: 1, numCtx: 32768 });
  });

  it('rejects mistyped options with Ollama wording', () => {
    expect(() => resolveOptions({ stop: 'Wait' }, [], 4096)).toThrow('option "stop" must be of type array');
    expect(() => resolveOptions({ stop: [1] }, [], 4096)).toThrow('option "stop" must be of an array of strings');
    expect(() => resolveOptions({ num_predict: '5' }, [], 4096)).toThrow('option "num_predict" must be of type integer');
    expect(() => resolveOptions({ temperature: true }, [], 4096)).toThrow('option "temperature" must be of type float32');
  });
});

describe('request decoding (Go json semantics)', () => {
  it('reports wrong field types like Go', () => {
    expect(() => parseGenerateRequest('{"model":"m","prompt":5}')).toThrow('json: cannot unmarshal number 5 into Go struct field GenerateRequest.prompt of type string');
    expect(() => parseGenerateRequest('{"model":"m","top_logprobs":1.5}')).toThrow(/GenerateRequest.top_logprobs of type int/);
    expect(() => parseChatRequest('{"model":"m","messages":"hi"}')).toThrow(/ChatRequest.messages of type \[\]api.Message/);
    expect(() => parseGenerateRequest('[1]')).toThrow('json: cannot unmarshal array into Go value of type api.GenerateRequest');
  });

  it('handles empty bodies, nulls and top_logprobs bounds', () => {
    expect(() => parseGenerateRequest('  ')).toThrow('missing request body');
    expect(parseGenerateRequest('{"model":"m","prompt":null,"options":null}')).toMatchObject({ model: 'm', prompt: '' });
    expect(() => parseGenerateRequest('{"model":"m","top_logprobs":21}')).toThrow('top_logprobs must be between 0 and 20');
    expect(() => parseGenerateRequest('{"model":"m","think":"maybe"}')).toThrow(/invalid think value/);
  });
});

describe('SlotPool', () => {
  it('leases the idle slot with the longest shared prefix and evaluates at least one token', async () => {
    const pool = new SlotPool(2);
    const a = await pool.acquire(['a', 'b', 'c']);
    const b = await pool.acquire(['x', 'y']);
    pool.release(a.slot, ['a', 'b', 'c', 'd']);
    pool.release(b.slot, ['x', 'y', 'z']);
    const again = await pool.acquire(['x', 'y', 'z', 'w']);
    expect(again.slot.id).toBe(b.slot.id);
    expect(again.cached).toBe(3);
    pool.release(again.slot, ['x', 'y', 'z', 'w']);
    const same = await pool.acquire(['a', 'b', 'c', 'd']);
    expect(same.cached).toBe(3);
  });

  it('queues beyond the slot count and refuses beyond the queue limit with 503', async () => {
    const pool = new SlotPool(1, 1);
    const first = await pool.acquire(['a']);
    const waiting = pool.acquire(['b']);
    await expect(pool.acquire(['c'])).rejects.toMatchObject({ status: 503 });
    expect(pool.waiting).toBe(1);
    pool.release(first.slot, ['a']);
    const second = await waiting;
    expect(second.slot.id).toBe(first.slot.id);
  });
});
