import { describe, expect, it } from 'vitest';
import { sectionOfTitle, type SectionKey } from './section-headers.ts';

/** Titles as OBX-3 texts and Observation.code displays carry them, and the section each names. */
const TITLES: readonly (readonly [string, SectionKey | undefined])[] = [
  ['XR Chest Addendum', 'addendum'],
  ['Radiology report impression Narrative', 'impression'],
  ['CONCLUSION', 'impression'],
  ['Findings', 'findings'],
  ['Comparison study', 'comparison'],
  ['Clinical history', 'indication'],
  ['Reason for exam', 'indication'],
  ['Technique', 'technique'],
  // The first rule that matches decides: an addendum to the impression is an addendum.
  ['Impression addendum', 'addendum'],
  ['Findings and impression', 'impression'],
  ['Chest 2 views', undefined],
  ['', undefined],
];

describe('sectionOfTitle', () => {
  it("reads a coded result's title as its section, whatever the case, or none", () => {
    expect(TITLES.map(([title]) => [title, sectionOfTitle(title)])).toEqual(TITLES);
  });
});
