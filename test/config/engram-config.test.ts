import { describe, expect, it } from 'vitest';
import { engramConfigSchema, splitModelId } from '../../src/config/engram-config.js';
import { jsonErrorPosition } from '../../src/config/json-error-position.js';

describe('splitModelId', () => {
  it('splits at the first colon so Ollama tags survive', () => {
    expect(splitModelId('ollama:llama3.2:3b')).toEqual({ provider: 'ollama', model: 'llama3.2:3b' });
    expect(splitModelId('OpenAI: gpt-4o-mini')).toEqual({ provider: 'openai', model: 'gpt-4o-mini' });
  });

  it('returns undefined when a side is missing', () => {
    expect(splitModelId('llama3')).toBeUndefined();
    expect(splitModelId(':llama3')).toBeUndefined();
    expect(splitModelId('ollama:')).toBeUndefined();
  });
});

describe('engramConfigSchema', () => {
  it('parses {} into the full default config', () => {
    const config = engramConfigSchema.parse({});
    expect(config.embedder).toEqual({
      provider: 'ollama',
      model: 'nomic-embed-text',
      baseUrl: 'http://localhost:11434',
    });
    expect(config.llm).toHaveLength(1);
    expect(config.extraction.mode).toBe('single-pass');
  });

  it('accepts the shorthand forms and normalises them', () => {
    const config = engramConfigSchema.parse({
      embedder: 'openai:text-embedding-3-small',
      llm: 'ollama:a,ollama:b',
    });
    expect(config.embedder).toEqual({ provider: 'openai', model: 'text-embedding-3-small' });
    expect(config.llm.map((m) => m.model)).toEqual(['a', 'b']);
  });

  it('rejects unknown keys inside provider settings', () => {
    const result = engramConfigSchema.safeParse({
      embedder: { provider: 'ollama', model: 'm', base_url: 'x' },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['base_url'] });
  });
});

describe('jsonErrorPosition', () => {
  it('finds the offset of the first syntax error', () => {
    expect(jsonErrorPosition('{"a": 1}')).toBeUndefined();
    expect(jsonErrorPosition('{"a": [1, 2, {"b": null}], "c": "\\u00e9"}')).toBeUndefined();
    expect(jsonErrorPosition('{"a": ,}')).toBe(6);
    expect(jsonErrorPosition('{"a": 1,}')).toBe(8);
    expect(jsonErrorPosition('{"a": 1')).toBe(7);
    expect(jsonErrorPosition('{"a": 1} x')).toBe(9);
  });
});
