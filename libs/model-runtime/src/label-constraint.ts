import type { LabelVocabulary } from '@radflow/prompts';

/** Restricts greedy decoding to token sequences a grammar allows. */
export interface TokenConstraint {
  /** Token ids allowed next (never empty until the constraint is complete). */
  allowed(): readonly number[];
  advance(token: number): void;
}

interface TrieNode {
  children: Map<number, TrieNode>;
  /** Segment that ends here: a label index, or NONE for the vocabulary's none answer. */
  ends: number | undefined;
  /** Largest label index ending at or below this node, to enforce vocabulary order. */
  maxEnd: number;
}

const START = -2;
const NONE = -1;

function node(): TrieNode {
  return { children: new Map(), ends: undefined, maxEnd: Number.NEGATIVE_INFINITY };
}

function insert(root: TrieNode, tokens: number[], ends: number): void {
  let at = root;
  at.maxEnd = Math.max(at.maxEnd, ends);
  for (const token of tokens) {
    let child = at.children.get(token);
    if (!child) at.children.set(token, (child = node()));
    at = child;
    at.maxEnd = Math.max(at.maxEnd, ends);
  }
  at.ends = ends;
}

/**
 * The answers a labels task may give, as token tries: `label, label, ...` with labels in vocabulary order and no
 * repeats, or the none answer, then end-of-text. Labels are tokenized as they appear in a canonical answer: the first
 * one alone, later ones with their ", " separator, so the constrained model keeps its trained tokenization.
 */
export class LabelGrammar {
  private readonly first = node();
  private readonly next = node();
  /** Upper bound on the answer's token count, end-of-text included. */
  readonly maxTokens: number;

  constructor(
    vocabulary: LabelVocabulary,
    encodeFragment: (text: string) => number[],
    private readonly endOfTextId: number,
  ) {
    let longestFirst = encodeFragment(vocabulary.noneAnswer).length;
    insert(this.first, encodeFragment(vocabulary.noneAnswer), NONE);
    let restTotal = 0;
    vocabulary.ids.forEach((label, index) => {
      const alone = encodeFragment(label);
      const after = encodeFragment(`, ${label}`);
      insert(this.first, alone, index);
      insert(this.next, after, index);
      longestFirst = Math.max(longestFirst, alone.length);
      restTotal += after.length;
    });
    this.maxTokens = longestFirst + restTotal + 1;
  }

  start(): TokenConstraint {
    return new LabelConstraint(this.first, this.next, this.endOfTextId);
  }
}

class LabelConstraint implements TokenConstraint {
  private last = START;
  private at: TrieNode | null = null;
  private inFirst = true;
  private done = false;

  constructor(
    private readonly first: TrieNode,
    private readonly next: TrieNode,
    private readonly endOfTextId: number,
  ) {}

  private fits(child: TrieNode): boolean {
    return this.inFirst || child.maxEnd > this.last;
  }

  private endsHere(at: TrieNode): boolean {
    return at.ends !== undefined && (this.inFirst || at.ends > this.last);
  }

  private boundary(last: number): number[] {
    if (last === START) return [...this.first.children.keys()];
    if (last === NONE) return [this.endOfTextId];
    const more = [...this.next.children.entries()]
      .filter(([, child]) => child.maxEnd > last)
      .map(([token]) => token);
    return [this.endOfTextId, ...more];
  }

  allowed(): readonly number[] {
    if (this.done) return [this.endOfTextId];
    if (!this.at) return this.boundary(this.last);
    const tokens = [...this.at.children.entries()]
      .filter(([, child]) => this.fits(child))
      .map(([token]) => token);
    if (this.endsHere(this.at)) tokens.push(...this.boundary(this.at.ends as number));
    return tokens;
  }

  advance(token: number): void {
    if (this.done) return;
    if (this.at) {
      const child = this.at.children.get(token);
      if (child && this.fits(child)) return this.enter(child);
      if (!this.endsHere(this.at)) throw new Error(`token ${token} is outside the label grammar`);
      this.last = this.at.ends as number;
      this.at = null;
    }
    if (token === this.endOfTextId && this.last !== START) {
      this.done = true;
      return;
    }
    const root = this.last === START ? this.first : this.next;
    const child = root.children.get(token);
    if (!child || (this.last !== START && child.maxEnd <= this.last) || this.last === NONE) {
      throw new Error(`token ${token} is outside the label grammar`);
    }
    this.inFirst = this.last === START;
    this.enter(child);
  }

  private enter(child: TrieNode): void {
    if (child.children.size === 0) {
      this.last = child.ends as number;
      this.at = null;
      this.inFirst = false;
    } else {
      this.at = child;
    }
  }
}
