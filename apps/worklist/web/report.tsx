import { useEffect, useRef, useState } from 'preact/hooks';
import {
  routeText,
  type DiffPart,
  type LabelLine,
  type ReportView,
  type ReviewState,
} from '@radflow/worklist-core';
import { api, formatTime, newIdempotencyKey, SignedOut, type FhirResources } from './api.ts';
import { PriorityBadge, StateBadge } from './list.tsx';

export interface ReviewUpdate {
  id: string;
  state: ReviewState;
  reviewedBy?: string;
}

function AiBadge() {
  return <span class="badge ai">AI-generated draft</span>;
}

/** Leaves the edit or reject form for the report's view, unsaved. */
function CancelButton({ pending, onCancel }: { pending: boolean; onCancel: () => void }) {
  return (
    <button type="button" class="secondary" disabled={pending} onClick={onCancel}>
      Cancel
    </button>
  );
}

function Diff({ parts }: { parts: DiffPart[] }) {
  return (
    <p class="diff">
      {parts.map((part, i) =>
        part.kind === 'same' ? (
          <span key={i}>{part.text}</span>
        ) : part.kind === 'removed' ? (
          <del key={i}>
            <span class="visually-hidden">[draft only: </span>
            {part.text}
            <span class="visually-hidden">]</span>
          </del>
        ) : (
          <ins key={i}>
            <span class="visually-hidden">[signed only: </span>
            {part.text}
            <span class="visually-hidden">]</span>
          </ins>
        ),
      )}
    </p>
  );
}

function Labels({ caption, lines, degraded }: { caption: string; lines: LabelLine[]; degraded: boolean }) {
  if (lines.length === 0)
    return (
      <p>
        <strong>{caption}:</strong> none found by the model or the rules.
      </p>
    );
  return (
    <table class="labels">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Label</th>
          <th scope="col">Call</th>
          <th scope="col">Shown from</th>
          <th scope="col">Model</th>
          <th scope="col">Rules</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((line) => (
          <tr key={line.label} class={line.disagree ? 'disagree' : undefined}>
            <th scope="row">{line.label}</th>
            <td>
              <span class={`call ${line.state}`}>{line.state}</span>
            </td>
            <td>{line.source === 'model' ? 'model (AI)' : 'rules'}</td>
            <td>{degraded ? 'did not run' : line.model}</td>
            <td>
              {line.rules}
              {line.disagree && <span class="badge disagree">disagree</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What the rule labeler changed in the model's draft, so the radiologist knows which words are not the model's. */
function DraftChecks({ edits }: { edits: NonNullable<ReportView['ai']['draftImpressionEdits']> }) {
  return (
    <ul class="hint draft-checks" aria-label="Rule checks of the draft">
      {edits.map((edit, i) => (
        <li key={i}>
          {edit.kind === 'critical-finding-added'
            ? `Added from the findings by the rules (the draft left it out): ${edit.reason ?? ''}`
            : `Taken out by the rules (nothing in the findings supports it): ${edit.label ?? ''}`}
        </li>
      ))}
    </ul>
  );
}

function Temporal({ temporal }: { temporal: ReportView['ai']['temporal'] }) {
  if (!temporal) return <p>No prior report was found for this patient.</p>;
  const none =
    !temporal.added.length &&
    !temporal.removed.length &&
    !temporal.changed.length &&
    !temporal.labelDiff?.length;
  return (
    <>
      <p>
        Against the prior report{temporal.priorAccession ? ` ${temporal.priorAccession}` : ''}
        {temporal.priorReportedAt ? ` of ${formatTime(temporal.priorReportedAt)}` : ''}.
      </p>
      {none && <p>No change found.</p>}
      <ul class="changes">
        {temporal.added.map((f) => (
          <li key={`a${f}`}>
            <strong>New:</strong> {f}
          </li>
        ))}
        {temporal.removed.map((f) => (
          <li key={`r${f}`}>
            <strong>No longer reported:</strong> {f}
          </li>
        ))}
        {temporal.changed.map((c) => (
          <li key={`c${c.finding}`}>
            <strong>{c.progression}:</strong> {c.finding}
          </li>
        ))}
        {temporal.labelDiff?.map((d) => (
          <li key={`l${d.label}`}>
            <strong>{d.label}:</strong> {d.before} → {d.after}
          </li>
        ))}
      </ul>
    </>
  );
}

function FhirList({ id }: { id: string }) {
  const [fhir, setFhir] = useState<FhirResources>();
  useEffect(() => {
    // Writeback runs beside the worklist: until its resources are on the FHIR server, look again every 2 s.
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const look = (tries: number) =>
      api.fhir(id).then(
        (found) => {
          if (stopped) return;
          setFhir(found);
          if (!('resources' in found && found.resources.length > 0) && tries > 0)
            timer = setTimeout(() => look(tries - 1), 2000);
        },
        (e: Error) => !stopped && setFhir({ unavailable: e.message }),
      );
    setFhir(undefined);
    void look(90);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id]);
  if (!fhir) return <p role="status">Looking up the FHIR server…</p>;
  if ('unavailable' in fhir) return <p>Not available: {fhir.unavailable}.</p>;
  if (fhir.resources.length === 0) return <p>Not written back yet.</p>;
  return (
    <ul class="fhir">
      {fhir.resources.map((r) => (
        <li key={`${r.resourceType}/${r.id}`}>
          <code>
            {r.resourceType}/{r.id}
          </code>
          {r.status ? ` (${r.status})` : ''}
        </li>
      ))}
    </ul>
  );
}

type Mode = { kind: 'view' } | { kind: 'edit'; text: string } | { kind: 'reject'; reason: string };

/** The report view: signed report beside the AI draft, labels by source, prior changes, FHIR ids, and the actions. */
export function ReportPage({
  id,
  lastReview,
  back,
}: {
  id: string;
  lastReview?: ReviewUpdate;
  back: () => void;
}) {
  const [view, setView] = useState<ReportView>();
  const [error, setError] = useState<string>();
  const [mode, setMode] = useState<Mode>({ kind: 'view' });
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<string>();
  const [state, setState] = useState<{ state: ReviewState; reviewedBy?: string }>();
  /** One key per action until it succeeds: a double click or a retry sends the same feedback id. */
  const key = useRef<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    setView(undefined);
    setError(undefined);
    setMode({ kind: 'view' });
    api.report(id).then(
      (v) => {
        setView(v);
        setState({ state: v.row.state, ...(v.row.reviewedBy ? { reviewedBy: v.row.reviewedBy } : {}) });
        document.title = `${v.row.accession} · radflow worklist`;
        heading.current?.focus();
      },
      (e: Error) => !(e instanceof SignedOut) && setError(e.message),
    );
  }, [id]);

  useEffect(() => {
    if (lastReview?.id === id)
      setState({
        state: lastReview.state,
        ...(lastReview.reviewedBy ? { reviewedBy: lastReview.reviewedBy } : {}),
      });
  }, [lastReview, id]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && mode.kind === 'view' && !(event.target instanceof HTMLTextAreaElement))
        back();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [mode, back]);

  if (error)
    return (
      <p class="error" role="alert">
        This report could not be opened: {error}.{' '}
        <a href="/" onClick={(e) => (e.preventDefault(), back())}>
          Back to the worklist
        </a>
      </p>
    );
  if (!view) return <p role="status">Loading the report…</p>;

  const { row, report, ai } = view;

  async function submit(body: Parameters<typeof api.review>[1], done: string) {
    if (pending) return;
    key.current ??= newIdempotencyKey();
    setPending(true);
    setMessage(undefined);
    try {
      const result = await api.review(id, body, key.current);
      key.current = null;
      setState({ state: result.state, reviewedBy: 'you' });
      setMode({ kind: 'view' });
      setMessage(`${done} Saved as feedback ${result.feedbackId}.`);
    } catch (e) {
      if (!(e instanceof SignedOut)) setMessage(`Not saved: ${(e as Error).message}. Try again.`);
    } finally {
      setPending(false);
    }
  }

  return (
    <article class="report" aria-labelledby="report-title">
      <p>
        <a href="/" onClick={(e) => (e.preventDefault(), back())}>
          ← Back to the worklist
        </a>
      </p>
      <h1 id="report-title" tabIndex={-1} ref={heading}>
        {row.accession} <span class="procedure">{report.procedure}</span>
      </h1>
      <p class="meta">
        <PriorityBadge level={ai.priority.level} /> {ai.priority.reasons.join('; ') || 'no reason recorded'} ·{' '}
        state <StateBadge state={state?.state ?? row.state} />
        {state?.reviewedBy ? ` by ${state.reviewedBy}` : ''} · reported {formatTime(report.reportedAt)} ·
        enriched {formatTime(ai.generatedAt)}
      </p>
      <p class="ai-note" role="note">
        <AiBadge /> Everything marked AI is a <strong>preliminary, AI-generated draft</strong> by{' '}
        <strong>
          {ai.model.name} {ai.model.version}
        </strong>
        {ai.rulesVersion ? ` with the rule labeler ${ai.rulesVersion}` : ''}: for a radiologist to accept,
        edit or reject. The signed report is never changed.
        {ai.degraded && ` The model did not run (${ai.degradedReason ?? 'unavailable'}): rule outputs only.`}
      </p>

      <div class="columns">
        <section aria-labelledby="signed-title" class="signed">
          <h2 id="signed-title">Signed report</h2>
          {report.indication && (
            <>
              <h3>Indication</h3>
              <p>{report.indication}</p>
            </>
          )}
          <h3>Findings</h3>
          <p class="text">{report.findings ?? 'No findings section.'}</p>
          <h3>Impression (signed)</h3>
          <p class="text">{report.impression ?? 'No impression section.'}</p>
        </section>
        <section aria-labelledby="draft-title" class="draft">
          <h2 id="draft-title">
            Draft impression <AiBadge />
          </h2>
          {mode.kind === 'edit' ? (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void submit({ action: 'edit', impression: mode.text }, 'Edit saved.');
              }}
            >
              <label for="draft-edit">Your impression (replaces the AI draft in the feedback)</label>
              <textarea
                id="draft-edit"
                rows={5}
                value={mode.text}
                onInput={(e) => setMode({ kind: 'edit', text: (e.target as HTMLTextAreaElement).value })}
              />
              <div class="actions">
                <button type="submit" disabled={pending || !mode.text.trim()}>
                  Save edit
                </button>
                <CancelButton pending={pending} onCancel={() => setMode({ kind: 'view' })} />
              </div>
            </form>
          ) : (
            <p class="text ai-text">
              {ai.draftImpression ??
                (ai.draftImpressionEdits
                  ? "Withheld: the model's draft named only findings the report's findings do not support."
                  : 'The model made no draft impression.')}
            </p>
          )}
          {ai.draftImpressionEdits && mode.kind !== 'edit' && <DraftChecks edits={ai.draftImpressionEdits} />}
          {ai.impressionDiff && mode.kind !== 'edit' && (
            <>
              <h3>Draft vs signed impression</h3>
              <p class="hint">
                <del>Struck</del> words are only in the AI draft, <ins>underlined</ins> words only in the
                signed impression.
              </p>
              <Diff parts={ai.impressionDiff} />
            </>
          )}
          {mode.kind === 'view' && (
            <div class="actions" role="group" aria-label="Review the AI draft">
              <button
                type="button"
                disabled={pending}
                onClick={() => void submit({ action: 'accept' }, 'Accepted.')}
              >
                Accept draft
              </button>
              <button
                type="button"
                class="secondary"
                disabled={pending || !ai.draftImpression}
                onClick={() => setMode({ kind: 'edit', text: ai.draftImpression ?? '' })}
              >
                Edit draft
              </button>
              <button
                type="button"
                class="danger"
                disabled={pending}
                onClick={() => setMode({ kind: 'reject', reason: '' })}
              >
                Reject draft
              </button>
            </div>
          )}
          {mode.kind === 'reject' && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                const reason = mode.reason.trim();
                void submit({ action: 'reject', ...(reason ? { reason } : {}) }, 'Rejected.');
              }}
            >
              <label for="reject-reason">Reason (optional)</label>
              <textarea
                id="reject-reason"
                rows={3}
                maxLength={2000}
                value={mode.reason}
                onInput={(e) => setMode({ kind: 'reject', reason: (e.target as HTMLTextAreaElement).value })}
              />
              <div class="actions">
                <button type="submit" class="danger" disabled={pending}>
                  Confirm reject
                </button>
                <CancelButton pending={pending} onCancel={() => setMode({ kind: 'view' })} />
              </div>
            </form>
          )}
          <p role="status" class="message">
            {message}
          </p>
        </section>
      </div>

      <section aria-labelledby="labels-title">
        <h2 id="labels-title">
          Labels <AiBadge />
        </h2>
        <p class="hint">
          Present / absent / uncertain, with what the model (AI) and the rule labeler each said.
        </p>
        <Labels caption="Abnormalities" lines={ai.abnormalities} degraded={ai.degraded} />
        <Labels caption="Tubes, lines and devices" lines={ai.devices} degraded={ai.degraded} />
      </section>

      <section aria-labelledby="prior-title">
        <h2 id="prior-title">
          Changes against the prior report <AiBadge />
        </h2>
        <Temporal temporal={ai.temporal} />
      </section>

      <section aria-labelledby="fhir-title">
        <h2 id="fhir-title">FHIR resources written</h2>
        <p class="hint">Preliminary, AI-labelled (AIAST) resources beside the signed report.</p>
        <FhirList id={id} />
      </section>

      <section aria-labelledby="model-title">
        <h2 id="model-title">Model</h2>
        <dl class="model">
          <dt>Name</dt>
          <dd>{ai.model.name}</dd>
          <dt>Version</dt>
          <dd>{ai.model.version}</dd>
          {ai.model.route && (
            <>
              <dt>Chosen as</dt>
              <dd>{routeText(ai.model.route)}</dd>
            </>
          )}
          {ai.rulesVersion && (
            <>
              <dt>Rule labeler</dt>
              <dd>{ai.rulesVersion}</dd>
            </>
          )}
          <dt>Status</dt>
          <dd>{ai.status}, AI-generated</dd>
          <dt>Report version</dt>
          <dd>{report.reportVersion}</dd>
        </dl>
      </section>
    </article>
  );
}
