import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { ModelLoadError } from './errors.ts';
import type { ModelManifest } from './manifest.ts';

/** The model's tokenizer (tokenizer.json via @huggingface/tokenizers) plus the ids of its special tokens. */
export class TextTokenizer {
  readonly endOfTextId: number;
  readonly padId: number;
  /** Token ids that end an answer: the manifest's end-of-text plus config.json's eos ids. */
  readonly stopIds: ReadonlySet<number>;

  private constructor(
    private readonly tokenizer: Tokenizer,
    endOfTextId: number,
    padId: number,
    stopIds: Set<number>,
  ) {
    this.endOfTextId = endOfTextId;
    this.padId = padId;
    this.stopIds = stopIds;
  }

  static load(
    dir: string,
    manifest: ModelManifest,
    eosTokenIds: number[],
    configPadId: number | undefined,
  ): TextTokenizer {
    const tokenizerPath = join(dir, manifest.tokenizer);
    const configPath = join(dirname(tokenizerPath), 'tokenizer_config.json');
    let tokenizer: Tokenizer;
    try {
      const json = JSON.parse(readFileSync(tokenizerPath, 'utf8')) as object;
      const config = existsSync(configPath) ? (JSON.parse(readFileSync(configPath, 'utf8')) as object) : {};
      tokenizer = new Tokenizer(json, config);
    } catch (error) {
      throw new ModelLoadError(
        dir,
        `tokenizer ${manifest.tokenizer} failed to load (${(error as Error).message})`,
      );
    }
    // A Phi-2 tokenizer without an added <endoftext> stops on its own eos (<|endoftext|>) from config.json.
    const endOfTextId = tokenizer.token_to_id(manifest.specialTokens.endOfText) ?? eosTokenIds[0];
    if (endOfTextId === undefined) {
      throw new ModelLoadError(
        dir,
        `end-of-text token ${manifest.specialTokens.endOfText} is not in the tokenizer and config.json has no eos_token_id`,
      );
    }
    const padId =
      (manifest.specialTokens.pad ? tokenizer.token_to_id(manifest.specialTokens.pad) : undefined) ??
      configPadId ??
      endOfTextId;
    return new TextTokenizer(tokenizer, endOfTextId, padId, new Set([endOfTextId, ...eosTokenIds]));
  }

  /** Token ids of a text; special-token strings in it become their single ids (the prompt's <instruct>, <output>). */
  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: true }).ids;
  }

  /** Token ids of a fragment placed after other text (no BOS or post-processing added). */
  encodeFragment(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: readonly number[]): string {
    // An answer may be empty (end-of-text as the first token); @huggingface/tokenizers throws on [] rather than ''.
    if (ids.length === 0) return '';
    return this.tokenizer.decode([...ids], { skip_special_tokens: true });
  }

  tokenId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }
}
