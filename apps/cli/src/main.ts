import { Command } from 'commander';
import { runServe } from './commands/serve.ts';
import { runDemo } from './commands/demo.ts';

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

await program.parseAsync(process.argv);
