import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  filterChoices,
  filterRows,
  listKey,
  NO_FILTER,
  routeText,
  toggled,
  type WorklistFilter,
  type WorklistRow,
} from '@radflow/worklist-core';
import { formatTime } from './api.ts';

const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));

export function PriorityBadge({ level }: { level: WorklistRow['priority'] }) {
  return <span class={`priority ${level}`}>{level.toUpperCase()}</span>;
}

export function StateBadge({ state }: { state: WorklistRow['state'] }) {
  return <span class={`state ${state}`}>{state}</span>;
}

function Checkboxes<T extends string>(props: {
  legend: string;
  name: string;
  values: readonly T[];
  chosen: ReadonlySet<T>;
  label?: (value: T) => string;
  onToggle: (value: T) => void;
}) {
  return (
    <fieldset class="filter">
      <legend>{props.legend}</legend>
      {props.values.map((value) => (
        <label key={value}>
          <input
            type="checkbox"
            name={props.name}
            value={value}
            checked={props.chosen.has(value)}
            onChange={() => props.onToggle(value)}
          />
          {props.label ? props.label(value) : value}
        </label>
      ))}
    </fieldset>
  );
}

/** Rows drawn at first, and added by each "Show more". */
const PAGE = 100;

/** The worklist: filters, then the table; j/k or the arrows move, Enter opens. */
export function WorklistView({
  rows,
  open,
}: {
  rows: WorklistRow[] | undefined;
  open: (id: string) => void;
}) {
  const [filter, setFilter] = useState<WorklistFilter>(NO_FILTER);
  const [selected, setSelected] = useState<string>();
  const table = useRef<HTMLTableSectionElement>(null);
  const [limit, setLimit] = useState(PAGE);
  const matching = useMemo(() => filterRows(rows ?? [], filter), [rows, filter]);
  const shown = useMemo(() => matching.slice(0, limit), [matching, limit]);
  const choices = useMemo(() => filterChoices(rows ?? []), [rows]);

  useEffect(() => {
    document.title = 'Worklist · radflow';
  }, []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
      const current = shown.findIndex((r) => r.id === selected);
      const outcome = listKey(event.key, current, shown.length);
      if (!outcome) return;
      if ('open' in outcome) {
        // A focused link opens itself on Enter.
        if (!(event.target instanceof HTMLAnchorElement)) {
          event.preventDefault();
          open(shown[outcome.open]!.id);
        }
        return;
      }
      event.preventDefault();
      const row = shown[outcome.move]!;
      setSelected(row.id);
      table.current?.querySelector<HTMLAnchorElement>(`tr[data-id="${row.id}"] a`)?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [shown, selected, open]);

  return (
    <>
      <h1>Worklist</h1>
      <p class="hint" id="keys-hint">
        Newest first within STAT, URGENT, ROUTINE. Keys: <kbd>j</kbd>/<kbd>k</kbd> or <kbd>↓</kbd>/
        <kbd>↑</kbd> move, <kbd>Enter</kbd> opens. Every AI output is a draft for a radiologist.
      </p>
      <form class="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <Checkboxes
          legend="Priority"
          name="priority"
          values={choices.priorities}
          chosen={filter.priorities}
          label={(v) => v.toUpperCase()}
          onToggle={(v) => setFilter({ ...filter, priorities: toggled(filter.priorities, v) })}
        />
        <Checkboxes
          legend="State"
          name="state"
          values={choices.states}
          chosen={filter.states}
          onToggle={(v) => setFilter({ ...filter, states: toggled(filter.states, v) })}
        />
        <Checkboxes
          legend="Modality"
          name="modality"
          values={choices.modalities}
          chosen={filter.modalities}
          onToggle={(v) => setFilter({ ...filter, modalities: toggled(filter.modalities, v) })}
        />
      </form>
      {rows === undefined ? (
        <p role="status">Loading…</p>
      ) : (
        <table class="worklist" aria-describedby="keys-hint">
          <caption>
            {matching.length === rows.length
              ? `${rows.length} reports`
              : `${matching.length} of ${rows.length} reports match the filters`}
            {shown.length < matching.length ? `, the first ${shown.length} shown` : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">Priority</th>
              <th scope="col">Accession</th>
              <th scope="col">Procedure</th>
              <th scope="col">Enriched</th>
              <th scope="col">Reasons</th>
              <th scope="col">Model</th>
              <th scope="col">Model vs rules</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody ref={table}>
            {shown.map((row) => (
              <tr
                key={row.id}
                data-id={row.id}
                class={row.id === selected ? 'selected' : undefined}
                onClick={() => setSelected(row.id)}
              >
                <td>
                  <PriorityBadge level={row.priority} />
                </td>
                <td>
                  <a
                    href={`/reports/${row.id}`}
                    onFocus={() => setSelected(row.id)}
                    onClick={(e) => {
                      e.preventDefault();
                      open(row.id);
                    }}
                  >
                    {row.accession}
                  </a>
                </td>
                <td>
                  {row.procedure} <span class="modality">{row.modality}</span>
                </td>
                <td>
                  <time dateTime={row.enrichedAt}>{formatTime(row.enrichedAt)}</time>
                </td>
                <td class="reasons">{row.reasons.length ? row.reasons.join('; ') : '—'}</td>
                <td>
                  {row.model.name} {row.model.version}
                  {row.model.route && row.model.route !== 'serving' && (
                    <span class="badge route" title={routeText(row.model.route)}>
                      {row.model.route === 'radiologist' ? 'own model' : 'canary'}
                    </span>
                  )}
                  {row.degraded && <span class="badge degraded">rules only</span>}
                </td>
                <td>
                  {row.disagreements.length > 0 ? (
                    <span class="badge disagree" title={row.disagreements.join(', ')}>
                      Disagree<span class="visually-hidden">: {row.disagreements.join(', ')}</span>
                    </span>
                  ) : (
                    <span class="agree">agree</span>
                  )}
                </td>
                <td>
                  <StateBadge state={row.state} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {shown.length < matching.length && (
        <button type="button" class="secondary more" onClick={() => setLimit(limit + PAGE)}>
          Show {Math.min(PAGE, matching.length - shown.length)} more
        </button>
      )}
    </>
  );
}
