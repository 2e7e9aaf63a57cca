import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { runServe } from './commands/serve.ts';
import { runDemo } from './commands/demo.ts';
import { runEnrich } from './commands/enrich.ts';
import { runParse } from './commands/parse.ts';
import { runSoak, soakOptionsFrom } from './commands/soak.ts';
import { runEval, type EvalTask } from './commands/eval.ts';
import { runDlqList, runDlqReplay, runDlqShow } from './commands/dlq.ts';
import { runTrace } from './commands/trace.ts';
import { phiScrubEvalCommand } from './commands/phi-scrub-eval.ts';
import { modelCommand } from './commands/model.ts';
import { runLabelsCommand } from './commands/labels.ts';
import { splitUids } from './commands/split-uids.ts';
import { effectiveRules } from './commands/rules.ts';
import { runRuleLabels } from './commands/rule-labels.ts';
import { checkSignedImpressions } from './commands/draft-check.ts';
import { readReportsCsv } from './commands/label-accuracy.ts';
import { dataPath, loadConfig } from '@radflow/config';
import { runRetraining, runRollback } from '@radflow/retrainer';

const program = new Command()
  .name('radflow')
  .description('Event-driven HL7/FHIR radiology middleware with Rad-Phi2-style AI drafts');

program
  .command('serve')
  .description('run radflow apps in this process (all of them by default: the embedded default)')
  .argument('[apps...]', 'gateway, ingest, enricher, inference, writeback, retrainer, worklist or all')
  .action(runServe);

program
  .command('demo')
  .description(
    'run every app, feed the sample HL7 and FHIR reports through Kafka, print the enriched results',
  )
  .option('--timeout <seconds>', 'how long to wait for the enriched results', '180')
  .option('--stay', 'keep radflow and the worklist page running after the results, until interrupted')
  .action(async (options: { timeout: string; stay?: boolean }) => {
    process.exitCode = await runDemo({
      timeoutSeconds: Number(options.timeout),
      stay: options.stay ?? false,
    });
  });

program
  .command('parse')
  .description(
    'print the canonical report of each HL7 v2 message or FHIR resource in the files, or its typed error',
  )
  .argument('<files...>')
  .action((files: string[]) => {
    process.exitCode = runParse(files);
  });

program
  .command('enrich')
  .description(
    'run the whole enrichment on HL7 or FHIR files in this process (no broker) and print the enriched events',
  )
  .argument('<files...>')
  .action(async (files: string[]) => {
    process.exitCode = await runEnrich(files);
  });

program
  .command('soak')
  .description(
    'reliability soak on loopback: N reports over MLLP through every app (separate processes) while faults are injected in turn; counts every output per report, exits 1 on any loss or duplicate',
  )
  .option('--reports <n>', 'how many reports to send', '300')
  .option('--apps <list>', 'apps to run as child processes (comma-separated) or all', 'all')
  .option(
    '--instances <n>',
    'processes of each consuming app (ingest, triage, worklist-task, enricher, writeback), of the gateway (the sender fails over between them) and of inference (one per enricher)',
    '2',
  )
  .option(
    '--kill <apps>',
    'SIGKILL one instance of each of these apps in turn, restarted after --restart-delay (or all)',
  )
  .option('--postgres', 'restart PostgreSQL (infra/postgres.sh stop, start)')
  .option('--fhir-freeze <seconds>', 'freeze the FHIR server with SIGSTOP this long, then SIGCONT')
  .option('--kafka-down <seconds>', 'stop the Kafka broker (infra/kafka.sh) this long, then start it')
  .option(
    '--cluster',
    'run against the three-broker cluster of infra/kafka-cluster.sh (started if needed): replication factor 3, --partitions per topic',
  )
  .option('--partitions <n>', 'with --cluster: partitions of the topics the soak creates', '6')
  .option(
    '--broker-kill <seconds>',
    'with --cluster: SIGKILL one broker (infra/kafka-cluster.sh kill-broker), start it again after this long',
  )
  .option('--broker-node <n>', 'with --broker-kill: which broker, 1, 2 or 3', '1')
  .option(
    '--rounds <n>',
    'inject the faults in turn this many times (the broker killed moves on each round)',
    '1',
  )
  .option(
    '--all-faults',
    'every fault: kill each app, restart PostgreSQL, FHIR frozen 60 s, Kafka down 30 s (with --cluster: one broker killed, 30 s down)',
  )
  .option('--rate <per-second>', 'sending pace (default: the reports spread over the faults)')
  .option('--warmup <seconds>', 'sending before the first fault', '10')
  .option('--gap <seconds>', 'between faults', '5')
  .option('--restart-delay <seconds>', 'a killed instance stays down this long', '3')
  .option('--quiet <seconds>', 'counts final once nothing new arrived this long', '15')
  .option('--timeout <minutes>', 'bound on the whole run; what is missing by then is lost', '60')
  .action(async (options: Record<string, string | boolean | undefined>) => {
    process.exitCode = await runSoak(soakOptionsFrom(options));
  });

const collect = (value: string, previous: string[] = []) => [...previous, value];
const dlq = program
  .command('dlq')
  .description(
    'dead letters: list them by reason, show one (no message bytes unless --bytes), replay chosen ones once',
  );
dlq
  .command('list')
  .description("every .dlq (or TOPIC's) grouped by stage, code and reason, with counts and first/last time")
  .argument('[topic]', 'a topic or its .dlq, e.g. rad.inbound.hl7v2.v1')
  .option('--since <when>', 'only dead letters since: 30m, 24h, 7d, an ISO time, or all', 'all')
  .action(async (topic: string | undefined, options: { since: string }) => {
    process.exitCode = await runDlqList(topic, options);
  });
dlq
  .command('show')
  .description("one dead letter's headers and a safe summary (size, sha256, message type)")
  .argument('<topic>', 'a topic or its .dlq')
  .argument('<offset>', 'PARTITION:OFFSET, or OFFSET when only one partition holds it')
  .option('--bytes', 'also print the original bytes (may contain PHI)')
  .action(async (topic: string, offset: string, options: { bytes?: boolean }) => {
    process.exitCode = await runDlqShow(topic, offset, options);
  });
dlq
  .command('replay')
  .description(
    're-publish chosen dead letters to their original topic, each at most once (ledger consumer dlq-replay)',
  )
  .argument('<topic>', 'a topic or its .dlq')
  .option('--reason <code>', 'dead letters with this error code (repeatable)', collect)
  .option('--offset <partition:offset>', 'this dead letter (repeatable)', collect)
  .option('--all', 'every dead letter of the topic')
  .option('--since <when>', 'only dead letters since: 30m, 24h, 7d, an ISO time, or all', 'all')
  .option('--dry-run', 'say what would be replayed, send nothing')
  .action(
    async (
      topic: string,
      options: { reason?: string[]; offset?: string[]; all?: boolean; since: string; dryRun?: boolean },
    ) => {
      process.exitCode = await runDlqReplay(topic, options);
    },
  );

program
  .command('trace')
  .description(
    'where one message is now: stages passed (ledger), FHIR ids and outbound ORU written, or its dead letter',
  )
  .argument('<id>', 'an accession number or a message id (MSH-10)')
  .option('--since <when>', 'how far back to read the topics: 30m, 24h, 7d, an ISO time, or all', '7d')
  .option('--no-fhir', 'do not search the FHIR server')
  .action(async (id: string, options: { since: string; fhir: boolean }) => {
    process.exitCode = await runTrace(id, options);
  });

// The Open-i reports and NegBio labels committed under data/ (RADFLOW_DATA_DIR points elsewhere).
const openiReports = dataPath('openi/reports.csv');
const openiLabels = dataPath('openi/labels-negbio14.csv');

program
  .command('eval')
  .description(
    "score the model with the paper's metrics beside the rule labeler and the most-frequent-impression baseline",
  )
  .option('--task <task>', 'impression | labels | devices | all', 'all')
  .option('--reports <file>', 'reports CSV in the columns of Open-i reports.csv', openiReports)
  .option('--labels <file>', 'labels CSV in the columns of labels-negbio14.csv', openiLabels)
  .option('--model <dir>', 'model directory (default: the configured MODEL_DIR)')
  .option('--out <dir>', 'where to write eval-results.json and eval-report.html', '.cache/eval')
  .option('--split <name>', "validation | test | train | all (the trainer's fixed uid splits)", 'validation')
  .option('--limit <n>', 'at most this many reports')
  .action(
    async (options: {
      task: EvalTask;
      reports: string;
      labels: string;
      model?: string;
      out: string;
      split: string;
      limit?: string;
    }) => {
      const uids = splitUids(options.split);
      await runEval({
        task: options.task,
        reportsCsv: options.reports,
        labelsCsv: options.labels,
        modelDir: options.model ?? loadConfig().inference.modelDir,
        outDir: options.out,
        ...(uids ? { uids } : {}),
        ...(options.limit ? { limit: Number(options.limit) } : {}),
        progress: true,
      });
    },
  );

program
  .command('labels')
  .description(
    'rule labeler precision/recall/F1 per label against the NegBio gold standard, with the model beside it',
  )
  .option('--reports <file>', 'reports CSV in the columns of Open-i reports.csv', openiReports)
  .option('--labels <file>', 'labels CSV in the columns of labels-negbio14.csv', openiLabels)
  .option('--model <dir>', "also score this model's labels")
  .option('--split <name>', 'validation | test | train | all', 'all')
  .option('--limit <n>', 'at most this many reports')
  .action(runLabelsCommand);

program
  .command('rule-labels')
  .description(
    'JSON lines of {id, findings, impression} on stdin, the abnormality labels the rule labeler finds present on stdout',
  )
  .action(async () => {
    await runRuleLabels();
  });

program
  .command('draft-check')
  .description(
    "what the enricher's draft check would change in the signed impressions of a report set, as if each were a draft",
  )
  .option('--reports <file>', 'reports CSV in the columns of Open-i reports.csv', openiReports)
  .option(
    '--split <names>',
    'comma-separated trainer splits (train, validation, test) or all',
    'train,validation',
  )
  .option(
    '--out <file>',
    'also write the changed impressions as JSON lines (public data only: they hold report text)',
  )
  .action((options: { reports: string; split: string; out?: string }) => {
    const wanted = options.split.split(',').map((s) => s.trim());
    const uids = wanted.includes('all') ? undefined : new Set(wanted.flatMap((s) => splitUids(s) ?? []));
    const rows = readReportsCsv(options.reports).filter((r) => !uids || uids.has(r.uid));
    const summary = checkSignedImpressions(rows);
    console.log(
      `${summary.changed} of ${summary.checked} signed impressions would change (split ${options.split})`,
    );
    for (const [edit, count] of Object.entries(summary.edits).sort((a, b) => b[1] - a[1]))
      console.log(`  ${String(count).padStart(4)}  ${edit}`);
    if (options.out)
      writeFileSync(options.out, summary.rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
  });

program
  .command('rules')
  .description(
    'print the chest X-ray filter and worklist priority rules in force as JSON (a starting point for RADFLOW_RULES_FILE)',
  )
  .action(() => {
    console.log(JSON.stringify(effectiveRules(loadConfig()), null, 2));
  });

program
  .command('retrain')
  .description(
    'fine-tune a candidate on the accumulated feedback now, gate it, and promote it if it is not worse',
  )
  .action(async () => {
    const outcome = await runRetraining({ trigger: 'manual' });
    console.log(JSON.stringify(outcome, null, 2));
  });

program
  .command('rollback')
  .description('serve the model version that served before the current one (or --to VERSION)')
  .option('--to <version>', 'a version that has served before')
  .option('--reason <text>', 'why, for the serving history', 'manual rollback')
  .action(async (options: { to?: string; reason: string }) => {
    const result = await runRollback({
      ...(options.to ? { toVersion: options.to } : {}),
      reason: options.reason,
    });
    console.log(JSON.stringify(result, null, 2));
  });

program.addCommand(phiScrubEvalCommand());
program.addCommand(modelCommand());

await program.parseAsync(process.argv);
