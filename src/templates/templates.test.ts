import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../core/errors.ts';
import type { ModelInfo } from '../backends/backend.ts';
import {
  chatmlQwq,
  customTemplate,
  deepseekR1,
  pickTemplate,
  qwen3,
  QWEN3_BUDGET_CLOSE,
  RAML_PROMPT_SUFFIX,
  servedTemplatePrefillsThink,
  thinkingBounds,
} from './index.ts';

const q = 'What is 6 times 7?';
const raml = `${q}\n\nPlease reason step by step, and put your final answer within \\boxed{}.`;

function info(family: string, templateText: string, name = 'm'): ModelInfo {
  return { name, digest: 'sha256:0', serverVersion: 'ollama 0.13.0', family, templateText, contextLength: 32768 };
}

describe('render is exact', () => {
  it('QwQ / Qwen2.5 ChatML with RaML prompt, thinking prefilled', () => {
    expect(RAML_PROMPT_SUFFIX).toBe('\n\nPlease reason step by step, and put your final answer within \\boxed{}.');
    expect(chatmlQwq().render({ question: q })).toBe(`<|im_start|>user\n${raml}<|im_end|>\n<|im_start|>assistant\n<think>\n`);
    expect(chatmlQwq().render({ question: q, system: 'Be brief.' })).toBe(
      `<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n${raml}<|im_end|>\n<|im_start|>assistant\n<think>\n`,
    );
    expect(chatmlQwq({ promptSuffix: '' }).render({ question: q, userSuffix: '\n\nThink for maximum 512 tokens.' })).toBe(
      `<|im_start|>user\n${q}\n\nThink for maximum 512 tokens.<|im_end|>\n<|im_start|>assistant\n<think>\n`,
    );
  });

  it('QwQ as Ollama ships it: the model writes <think> itself', () => {
    const t = chatmlQwq({ prefillThink: false });
    expect(t.opensThinkingItself).toBe(true);
    expect(t.render({ question: q })).toBe(`<|im_start|>user\n${raml}<|im_end|>\n<|im_start|>assistant\n`);
    expect(chatmlQwq().opensThinkingItself).toBe(false);
  });

  it('Qwen3 with /no_think and its budget string', () => {
    expect(qwen3().render({ question: q })).toBe(`<|im_start|>user\n${raml}<|im_end|>\n<|im_start|>assistant\n<think>\n`);
    expect(qwen3({ noThink: true }).render({ question: q })).toBe(
      `<|im_start|>user\n${raml} /no_think<|im_end|>\n<|im_start|>assistant\n<think>\n`,
    );
    expect(qwen3().render({ question: q, userSuffix: qwen3().noThinkSuffix })).toContain(`${raml} /no_think<|im_end|>`);
    expect(QWEN3_BUDGET_CLOSE).toBe(
      'Considering the limited time by the user, I have to give the solution based on the thinking directly now.\n</think>.\n\n',
    );
    expect(qwen3().budgetClose).toBe(QWEN3_BUDGET_CLOSE);
  });

  it('DeepSeek-R1 with its fullwidth markers', () => {
    const t = deepseekR1();
    expect(t.render({ question: q })).toBe(`<｜begin▁of▁sentence｜><｜User｜>${raml}<｜Assistant｜><think>\n`);
    expect(t.render({ question: q, system: 'S' })).toBe(`<｜begin▁of▁sentence｜>S<｜User｜>${raml}<｜Assistant｜><think>\n`);
    expect(t.render({ question: q }).codePointAt(1)).toBe(0xff5c);
    expect(t.endOfTurn).toBe('<｜end▁of▁sentence｜>');
    expect(t.stopStrings).toContain('<｜User｜>');
  });

  it('every built-in prompt ends inside the assistant turn with the thinking opened (or left to the model)', () => {
    for (const t of [chatmlQwq(), qwen3(), deepseekR1()]) {
      expect(t.render({ question: q }).endsWith(`${t.thinkOpen}\n`)).toBe(true);
      expect(t.stopStrings).toContain(t.endOfTurn);
    }
    for (const t of [chatmlQwq({ prefillThink: false }), qwen3({ prefillThink: false }), deepseekR1({ prefillThink: false })]) {
      expect(t.render({ question: q }).includes(t.thinkOpen)).toBe(false);
    }
  });

  it('the question is inserted verbatim, whatever it contains', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (question) => {
        for (const t of [chatmlQwq(), qwen3(), deepseekR1()]) {
          const prompt = t.render({ question });
          expect(prompt.includes(question + t.promptSuffix)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('thinking bounds: both prefill cases', () => {
  it('thinking opened by the prompt', () => {
    const t = chatmlQwq();
    const generated = 'Six sevens... 42.\n</think>\n\nThe answer is \\boxed{42}.';
    const b = thinkingBounds(t, generated);
    expect(b.thinkingStart).toBe(0);
    expect(generated.slice(b.thinkingStart, b.thinkingEnd)).toBe('Six sevens... 42.\n');
    expect(generated.slice(b.answerStart)).toBe('\n\nThe answer is \\boxed{42}.');
  });

  it('the model writes <think> itself', () => {
    const t = chatmlQwq({ prefillThink: false });
    const generated = '<think>\nSix sevens... 42.\n</think>\n\n\\boxed{42}';
    const b = thinkingBounds(t, generated);
    expect(generated.slice(b.thinkingStart, b.thinkingEnd)).toBe('Six sevens... 42.\n');
    expect(generated.slice(b.answerStart)).toBe('\n\n\\boxed{42}');
  });

  it('a model expected to open its thinking but that does not, and one that never closes it', () => {
    const t = chatmlQwq({ prefillThink: false });
    expect(thinkingBounds(t, 'just thinking</think>ans')).toEqual({ thinkingStart: 0, thinkingEnd: 13, answerStart: 21 });
    expect(thinkingBounds(chatmlQwq(), 'still thinking')).toEqual({ thinkingStart: 0 });
  });
});

describe('custom templates', () => {
  const spec = {
    name: 'my-chatml',
    prompt: '{system}<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n<think>\n',
    system: '<|im_start|>system\n{system}<|im_end|>\n',
    thinkOpen: '<think>',
    thinkClose: '</think>',
    endOfTurn: '<|im_end|>',
  };

  it('renders like the built-in family it copies', () => {
    const t = customTemplate(spec);
    expect(t.render({ question: q })).toBe(chatmlQwq().render({ question: q }));
    expect(t.render({ question: q, system: 'S' })).toBe(chatmlQwq().render({ question: q, system: 'S' }));
    expect(t.opensThinkingItself).toBe(false);
    expect(t.stopStrings).toEqual(['<|im_end|>']);
  });

  it('does not substitute placeholders inside the question', () => {
    const t = customTemplate(spec);
    expect(t.render({ question: 'say {system} and {prompt} and $&' })).toContain('user\nsay {system} and {prompt} and $&\n\n');
  });

  it('detects a template that leaves <think> to the model', () => {
    expect(customTemplate({ ...spec, prompt: '<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n' }).opensThinkingItself).toBe(true);
  });

  it.each([
    [{ ...spec, prompt: 'no slot' }, 'suite.yaml: /template.prompt: expected exactly one {prompt} placeholder, found 0'],
    [{ ...spec, prompt: '{prompt}{prompt}' }, 'suite.yaml: /template.prompt: expected exactly one {prompt} placeholder, found 2'],
    [{ ...spec, thinkClose: '' }, 'suite.yaml: /template.thinkClose: expected a non-empty string'],
    [{ ...spec, system: 'sys' }, 'suite.yaml: /template.system: expected a {system} placeholder for the system text'],
  ])('rejects a bad spec with one clear line', (bad, message) => {
    expect(() => customTemplate(bad, 'suite.yaml: /template')).toThrow(InputError);
    expect(() => customTemplate(bad, 'suite.yaml: /template')).toThrow(message);
  });
});

describe('pickTemplate', () => {
  const qwqText = '{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n';
  const r1Text = '{{- if .System }}{{ .System }}{{ end }}{{- range .Messages }}<｜User｜>{{ .Content }}<｜Assistant｜>{{ end }}';

  it('picks by template text and family', () => {
    expect(pickTemplate(info('qwen2', qwqText)).name).toBe('chatml-qwq');
    expect(pickTemplate(info('qwen3', qwqText)).name).toBe('qwen3');
    expect(pickTemplate(info('qwen3moe', qwqText)).name).toBe('qwen3');
    // R1 distills report their base's family; the markers decide.
    expect(pickTemplate(info('qwen2', r1Text)).name).toBe('deepseek-r1');
    expect(pickTemplate(info('llama', r1Text)).name).toBe('deepseek-r1');
    expect(pickTemplate(info('deepseek2', r1Text)).name).toBe('deepseek-r1');
    // A DeepSeek chat model without R1's markers is not guessed to be R1.
    expect(() => pickTemplate(info('deepseek2', '{{ .System }}User: {{ .Prompt }}\n\nAssistant:'))).toThrow(/unknown chat template \(family 'deepseek2'\)/);
  });

  it('tells whether the served template prefills <think>', () => {
    expect(servedTemplatePrefillsThink(qwqText)).toBe(false);
    expect(servedTemplatePrefillsThink(`${qwqText}<think>\n`)).toBe(true);
    expect(servedTemplatePrefillsThink('<｜User｜>{{ .Content }}<｜Assistant｜><think>\n')).toBe(true);
    expect(servedTemplatePrefillsThink(r1Text)).toBe(false);
    expect(pickTemplate(info('qwen2', qwqText), undefined, { prefillThink: servedTemplatePrefillsThink(qwqText) }).opensThinkingItself).toBe(true);
  });

  it('an override wins, and an unknown override is bad input', () => {
    expect(pickTemplate(info('llama', 'whatever'), 'qwen3').name).toBe('qwen3');
    expect(pickTemplate(info('llama', 'whatever'), 'QwQ').name).toBe('chatml-qwq');
    expect(() => pickTemplate(info('qwen2', qwqText), 'mistral')).toThrow(/--template: unknown template 'mistral'; expected one of chatml-qwq, qwen3, deepseek-r1/);
  });

  it('an unknown model is a clear error telling the user to pass --template, not a guess', () => {
    const error = (() => {
      try {
        pickTemplate(info('llama', '[INST] {{ .Prompt }} [/INST]', 'mistral-reasoner'));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      "model 'mistral-reasoner': unknown chat template (family 'llama'); pass --template chatml-qwq|qwen3|deepseek-r1 or give a custom template in the suite",
    );
  });
});
