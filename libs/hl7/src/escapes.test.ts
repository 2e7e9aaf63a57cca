import { describe, expect, it } from 'vitest';
import { STANDARD_DELIMITERS } from './delimiters.ts';
import { decodeEscapes } from './escapes.ts';
import { hl7TimestampToIso } from './timestamps.ts';

const d = STANDARD_DELIMITERS;

describe('decodeEscapes', () => {
  it('decodes delimiter escapes and line breaks', () => {
    expect(decodeEscapes('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f', d).text).toBe('a|b^c&d~e\\f');
    expect(decodeEscapes('line 1\\.br\\line 2\\.sp 2\\end', d).text).toBe('line 1\nline 2\n\nend');
    expect(decodeEscapes('\\H\\IMPRESSION:\\N\\ ok \\.in+4\\x', d).text).toBe('IMPRESSION: ok x');
  });

  it('decodes \\X..\\ hex bytes in the message character set', () => {
    expect(decodeEscapes('a\\X0D0A\\b', d).text).toBe('a\r\nb');
    expect(decodeEscapes('caf\\XC3A9\\', d, 'utf-8').text).toBe('café');
    expect(decodeEscapes('caf\\XE9\\', d, 'windows-1252').text).toBe('café');
  });

  it('reports locally defined escapes it drops and keeps an unterminated escape as sent', () => {
    expect(decodeEscapes('x\\Zfoo\\y', d)).toEqual({ text: 'xy', dropped: ['Z'] });
    expect(decodeEscapes('C:\\temp', d).text).toBe('C:\\temp');
    expect(decodeEscapes('a \\unknown\\ b', d).text).toBe('a \\unknown\\ b');
  });

  it('follows non-standard delimiters', () => {
    const custom = { field: '!', component: '+', repetition: '?', escape: '#', subcomponent: ']' };
    expect(decodeEscapes('a#F#b#S#c#.br#d', custom).text).toBe('a!b+c\nd');
  });
});

describe('hl7TimestampToIso', () => {
  it('keeps the precision sent and the zone', () => {
    expect(hl7TimestampToIso('20240102')).toBe('2024-01-02');
    expect(hl7TimestampToIso('202401021530')).toBe('2024-01-02T15:30');
    expect(hl7TimestampToIso('20240102153045')).toBe('2024-01-02T15:30:45');
    expect(hl7TimestampToIso('20240102153045.123-0500')).toBe('2024-01-02T15:30:45.123-05:00');
    expect(hl7TimestampToIso('202401')).toBe('2024-01');
  });

  it('refuses impossible dates', () => {
    for (const bad of ['20240230', '20241301', '2024010225', 'yesterday', '', '2024-01-02']) {
      expect(hl7TimestampToIso(bad), bad).toBeUndefined();
    }
  });
});
