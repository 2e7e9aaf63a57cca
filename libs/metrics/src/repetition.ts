import { rougeTokenize } from './rouge.ts';

/**
 * The first word n-gram that occurs twice in a text (lower-cased words, punctuation ignored), or null. A generated
 * impression that repeats a 3-word phrase ("2. Left lower lobe pneumonia. 2. Left lower lobe pneumonia.") is a
 * decoding failure a radiologist notices at once, whatever its ROUGE.
 */
export function repeatedNgram(text: string, n = 3): string | null {
  const words = rougeTokenize(text);
  const seen = new Set<string>();
  for (let i = 0; i + n <= words.length; i += 1) {
    const gram = words.slice(i, i + n).join(' ');
    if (seen.has(gram)) return gram;
    seen.add(gram);
  }
  return null;
}
