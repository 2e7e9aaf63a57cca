import { Command } from 'commander';
import { runServe } from './commands/serve.ts';
import { runDemo } from './commands/demo.ts';
import { runEnrich } from './commands/enrich.ts';
import { runParse } from './commands/parse.ts';

const program = new Command()
  .name('radflow')
  .description('Event-driven HL7/FHIR radiology middleware with Rad-Phi2-style AI drafts');

program
  .command('serve')
  .description('run radflow apps in this process (all of them by default: the embedded default)')
  .argument('[apps...]', 'gateway, ingest, enricher, inference, writeback, retrainer or all')
  .action(runServe);

program
  .command('demo')
  .description('run every app, feed the sample HL7 and FHIR reports through Kafka, print the enriched results')
  .option('--timeout <seconds>', 'how long to wait for the enriched results', '180')
  .action(async (options: { timeout: string }) => {
    process.exitCode = await runDemo({ timeoutSeconds: Number(options.timeout) });
  });

program
  .command('parse')
  .description('print the canonical report of each HL7 v2 message or FHIR resource in the files, or its typed error')
  .argument('<files...>')
  .action((files: string[]) => {
    process.exitCode = runParse(files);
  });

program
  .command('enrich')
  .description('run the whole enrichment on HL7 or FHIR files in this process (no broker) and print the enriched events')
  .argument('<files...>')
  .action(async (files: string[]) => {
    process.exitCode = await runEnrich(files);
  });

await program.parseAsync(process.argv);
