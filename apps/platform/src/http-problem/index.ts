export { HttpProblem, type HttpProblemInit, type ProblemExtensions } from './http-problem.ts';
export { problemOf, problemTitle, type ProblemAnswer } from './problem-of.ts';
export { operationOutcome, type FhirRefusal } from './operation-outcome.ts';
export { ProblemDetailsFilter, FhirOperationOutcomeFilter } from './problem-details.filter.ts';
