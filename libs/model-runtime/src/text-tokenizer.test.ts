import { describe, expect, it } from 'vitest';
import { readDecoderConfig } from './decoder-config.ts';
import { readManifest } from './manifest.ts';
import { TextTokenizer } from './text-tokenizer.ts';
import { tinyModelDir } from './testing/tiny-model.ts';

const manifest = readManifest(tinyModelDir);
const config = readDecoderConfig(tinyModelDir, manifest.config);
const tokenizer = TextTokenizer.load(tinyModelDir, manifest, config.eosTokenIds, config.padTokenId);

describe('TextTokenizer.decode', () => {
  it('decodes an empty answer (end-of-text as the first token) to the empty string, not a throw', () => {
    expect(tokenizer.decode([])).toBe('');
  });

  it('decodes what it encoded, special tokens skipped', () => {
    const ids = tokenizer.encodeFragment('Small left pleural effusion.');
    expect(ids.length).toBeGreaterThan(0);
    expect(tokenizer.decode(ids)).toBe('Small left pleural effusion.');
    expect(tokenizer.decode([...ids, tokenizer.endOfTextId])).toBe('Small left pleural effusion.');
  });
});
