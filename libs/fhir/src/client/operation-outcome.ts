/** One issue of a FHIR OperationOutcome, as radflow keeps it: codes and paths, text without echoed values. */
export interface FhirOutcomeIssue {
  severity: string;
  /** The FHIR issue type (invariant, not-found, processing, …). */
  code: string;
  /** The server's diagnostics (or details.text), values it quoted back dropped. */
  diagnostics?: string;
  /** FHIRPath expressions naming the elements at fault. */
  expression?: string[];
}

interface RawIssue {
  severity?: unknown;
  code?: unknown;
  diagnostics?: unknown;
  details?: { text?: unknown };
  expression?: unknown;
}

const MAX_ISSUES = 10;
const MAX_TEXT = 300;
const MAX_EXPRESSIONS = 3;
const ELEMENT_NAME = /^[A-Za-z_$][\w.[\]$-]{0,63}$/;

/**
 * Quoted element names stay (they tell an operator what to fix); any other quoted text is dropped, since a
 * server may echo the offending value back and values can carry PHI.
 */
export function withoutEchoedValues(text: string): string {
  return text.replace(/"([^"]*)"/g, (quoted, inner: string) => (ELEMENT_NAME.test(inner) ? quoted : '"…"'));
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The issues of a body that is an OperationOutcome (at most ten), or undefined for any other body. */
export function operationOutcomeIssues(body: unknown): FhirOutcomeIssue[] | undefined {
  const outcome = body as { resourceType?: unknown; issue?: unknown } | null;
  if (outcome?.resourceType !== 'OperationOutcome' || !Array.isArray(outcome.issue)) return undefined;
  return (outcome.issue as RawIssue[]).slice(0, MAX_ISSUES).map((issue) => {
    const said = text(issue?.diagnostics) ?? text(issue?.details?.text);
    const expression = Array.isArray(issue?.expression)
      ? issue.expression.filter((e): e is string => typeof e === 'string').slice(0, MAX_EXPRESSIONS)
      : [];
    return {
      severity: text(issue?.severity) ?? 'error',
      code: text(issue?.code) ?? 'unknown',
      ...(said ? { diagnostics: withoutEchoedValues(said.slice(0, MAX_TEXT)) } : {}),
      ...(expression.length ? { expression: expression.map(withoutEchoedValues) } : {}),
    };
  });
}

/** The issues in one line an operator can act on: `error invariant: … at Observation.value`. */
export function describeOutcomeIssues(issues: readonly FhirOutcomeIssue[]): string {
  return issues
    .map((issue) => {
      const where = issue.expression?.length ? ` at ${issue.expression.join(', ')}` : '';
      return `${issue.severity} ${issue.code}: ${issue.diagnostics ?? ''}${where}`;
    })
    .join('; ');
}
