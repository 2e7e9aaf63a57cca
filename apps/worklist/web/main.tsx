import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { applyReview, upsertRow, type WorklistRow } from '@radflow/worklist-core';
import { api, type Me } from './api.ts';
import { WorklistView } from './list.tsx';
import { ReportPage, type ReviewUpdate } from './report.tsx';

type Route = { page: 'list' } | { page: 'report'; id: string };

function routeOf(path: string): Route {
  const match = /^\/reports\/([a-f0-9]{32})$/.exec(path);
  return match ? { page: 'report', id: match[1]! } : { page: 'list' };
}

export function navigate(path: string): void {
  history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

function App() {
  const [route, setRoute] = useState<Route>(routeOf(location.pathname));
  const [me, setMe] = useState<Me>();
  const [rows, setRows] = useState<WorklistRow[]>();
  const [error, setError] = useState<string>();
  const [announcement, setAnnouncement] = useState('');
  const [lastReview, setLastReview] = useState<ReviewUpdate>();
  const [live, setLive] = useState(false);
  const pending = useRef<WorklistRow[]>([]);

  useEffect(() => {
    const onPop = () => setRoute(routeOf(location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    api.me().then(setMe, () => undefined);
    // Live first, then the list: nothing enriched between the two is missed (upsert is idempotent).
    const events = new EventSource('/api/events');
    events.onopen = () => {
      setLive(true);
      api.worklist().then(
        (loaded) => setRows((current) => (current ?? []).reduce(upsertRow, loaded)),
        (e: Error) => setError(e.message),
      );
    };
    events.onerror = () => setLive(false);
    // Rows arriving in a burst are drawn together (at most every 150 ms), not one redraw per event.
    let flush: ReturnType<typeof setTimeout> | undefined;
    events.addEventListener('row', (e) => {
      pending.current.push(JSON.parse((e as MessageEvent<string>).data) as WorklistRow);
      flush ??= setTimeout(() => {
        flush = undefined;
        const arrived = pending.current.splice(0);
        setRows((current) => arrived.reduce(upsertRow, current ?? []));
        const last = arrived.at(-1)!;
        setAnnouncement(
          arrived.length === 1
            ? `New ${last.priority.toUpperCase()} report: ${last.accession}, ${last.procedure}`
            : `${arrived.length} new reports`,
        );
      }, 150);
    });
    events.addEventListener('review', (e) => {
      const review = JSON.parse((e as MessageEvent<string>).data) as ReviewUpdate;
      setRows((current) => applyReview(current ?? [], review));
      setLastReview(review);
    });
    return () => {
      events.close();
      clearTimeout(flush);
    };
  }, []);

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <p class="brand">
          <a href="/" onClick={(e) => (e.preventDefault(), navigate('/'))}>
            radflow worklist
          </a>
        </p>
        <p class={live ? 'live on' : 'live off'}>{live ? 'Live' : 'Reconnecting…'}</p>
        {me && (
          <form method="post" action="/logout" class="who">
            <span>
              Signed in as <strong>{me.name}</strong> ({me.username})
            </span>
            <button type="submit" class="secondary">
              Sign out
            </button>
          </form>
        )}
      </header>
      <p class="visually-hidden" aria-live="polite" role="status">
        {announcement}
      </p>
      <main id="main" tabIndex={-1}>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {route.page === 'list' ? (
          <WorklistView rows={rows} open={(id) => navigate(`/reports/${id}`)} />
        ) : (
          <ReportPage id={route.id} lastReview={lastReview} back={() => navigate('/')} />
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
