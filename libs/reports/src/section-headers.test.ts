import { describe, expect, it } from 'vitest';
import { sectionOfTitle } from './section-headers.ts';

describe('sectionOfTitle', () => {
  it("reads a coded result's title as its section, whatever the case", () => {
    expect(sectionOfTitle('XR Chest Addendum')).toBe('addendum');
    expect(sectionOfTitle('Radiology report impression Narrative')).toBe('impression');
    expect(sectionOfTitle('CONCLUSION')).toBe('impression');
    expect(sectionOfTitle('Findings')).toBe('findings');
    expect(sectionOfTitle('Comparison study')).toBe('comparison');
    expect(sectionOfTitle('Clinical history')).toBe('indication');
    expect(sectionOfTitle('Reason for exam')).toBe('indication');
    expect(sectionOfTitle('Technique')).toBe('technique');
  });

  it('takes the first rule that matches: an addendum to the impression is an addendum', () => {
    expect(sectionOfTitle('Impression addendum')).toBe('addendum');
    expect(sectionOfTitle('Findings and impression')).toBe('impression');
  });

  it('names no section for a title that is not one', () => {
    expect(sectionOfTitle('Chest 2 views')).toBeUndefined();
    expect(sectionOfTitle('')).toBeUndefined();
  });
});
