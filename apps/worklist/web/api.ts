import type { ReportView, ReviewState, WorklistRow } from '@radflow/worklist-core';

export interface Me {
  username: string;
  name: string;
}

export type FhirResources =
  { resources: { resourceType: string; id: string; status?: string }[] } | { unavailable: string };

export class SignedOut extends Error {}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (response.status === 401) {
    window.location.assign('/login');
    throw new SignedOut();
  }
  if (!response.ok) throw new Error(`${path.split('/')[2] ?? 'request'} answered ${response.status}`);
  return (await response.json()) as T;
}

export const api = {
  me: () => getJson<Me>('/api/me'),
  worklist: () => getJson<{ rows: WorklistRow[] }>('/api/worklist').then((r) => r.rows),
  report: (id: string) => getJson<ReportView>(`/api/reports/${id}`),
  fhir: (id: string) => getJson<FhirResources>(`/api/reports/${id}/fhir`),
  async review(
    id: string,
    body:
      { action: 'accept' } | { action: 'edit'; impression: string } | { action: 'reject'; reason?: string },
    idempotencyKey: string,
  ): Promise<{ feedbackId: string; state: ReviewState }> {
    const response = await fetch(`/api/reports/${id}/review`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(body),
    });
    if (response.status === 401) {
      window.location.assign('/login');
      throw new SignedOut();
    }
    // Refusals are problems (schemas/api/problem.v1): `detail` says why.
    const answer = (await response.json().catch(() => ({}))) as { detail?: string };
    if (!response.ok) throw new Error(answer.detail ?? `the server answered ${response.status}`);
    return answer as { feedbackId: string; state: ReviewState };
  },
};

/** A random UUID (v4); crypto.randomUUID exists only in secure contexts. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function formatTime(iso: string | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
