import { spawn } from 'node:child_process';
import { repoRoot } from '@radflow/config';

/** One issue the HAPI FHIR instance validator reported (infra/fhir-validator/FhirValidatorCli.java). */
export interface ValidatorIssue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  messageId: string | null;
  location: string | null;
  line: number | null;
  col: number | null;
  message: string;
}

export interface ValidatedFile {
  file: string;
  issues: ValidatorIssue[];
}

export interface ValidationRun {
  files: ValidatedFile[];
  /** Files the validator could not read or parse. */
  failures: { file: string; failure: string }[];
  /** Wall time of the whole run, JVM start included, and of the validation alone (the CLI's own count). */
  wallMs: number;
  validateMs: number;
}

/**
 * Validates every *.json file under `folder` in one JVM (infra/fhir-validator/fhir-validator.sh validate, which
 * builds the CLI first if `infra/run setup` has not): the JVM and the R4 definitions load once per test run.
 */
export async function validateFolder(folder: string, timeoutMs = 240_000): Promise<ValidationRun> {
  const started = Date.now();
  const child = spawn('bash', [`${repoRoot}infra/fhir-validator/fhir-validator.sh`, 'validate', folder], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  const run: ValidationRun = { files: [], failures: [], wallMs: Date.now() - started, validateMs: -1 };
  let done = false;
  for (const line of stdout.split('\n').filter((l) => l.trim() !== '')) {
    const parsed = JSON.parse(line) as Partial<ValidatedFile> & {
      failure?: string;
      done?: boolean;
      ms?: number;
    };
    if (parsed.done) {
      done = true;
      run.validateMs = parsed.ms ?? -1;
    } else if (parsed.failure !== undefined)
      run.failures.push({ file: parsed.file!, failure: parsed.failure });
    else run.files.push({ file: parsed.file!, issues: parsed.issues ?? [] });
  }
  if (!done)
    throw new Error(
      `the FHIR validator did not finish (exit ${code}): ${stderr.split('\n').slice(-15).join('\n')}`,
    );
  return run;
}
