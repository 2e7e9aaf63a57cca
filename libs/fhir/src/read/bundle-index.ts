import type { Bundle, BundleEntry, Parameters, SubscriptionStatus } from '@medplum/fhirtypes';
import { asArray, asLoose, asRecord, asString, asText, type Loose } from './loose.ts';

export interface IndexedResource {
  resource: Record<string, unknown>;
  resourceType: string;
  id: string | undefined;
  fullUrl: string | undefined;
}

/** Resolves references between the resources of one Bundle (by fullUrl, type/id or an absolute URL ending in it). */
export class BundleIndex {
  readonly entries: IndexedResource[] = [];
  private readonly byKey = new Map<string, IndexedResource>();

  add(resource: Record<string, unknown>, fullUrl?: string): void {
    const resourceType = asString(resource.resourceType) ?? '';
    const id = asText(resource.id);
    const entry: IndexedResource = { resource, resourceType, id, fullUrl };
    this.entries.push(entry);
    if (fullUrl) this.byKey.set(fullUrl, entry);
    if (id && resourceType) {
      this.byKey.set(`${resourceType}/${id}`, entry);
      if (fullUrl && /^https?:/.test(fullUrl))
        this.byKey.set(fullUrl.replace(/\/_history\/[^/]+$/, ''), entry);
    }
  }

  resolve(reference: string, within?: Record<string, unknown>): IndexedResource | undefined {
    if (reference.startsWith('#')) {
      const id = reference.slice(1);
      for (const contained of asArray(within?.contained)) {
        const resource = asRecord(contained);
        if (resource && asString(resource.id) === id) {
          return { resource, resourceType: asString(resource.resourceType) ?? '', id, fullUrl: undefined };
        }
      }
      return undefined;
    }
    const direct = this.byKey.get(reference);
    if (direct) return direct;
    // "https://ehr/fhir/Observation/1" or "Observation/1/_history/2" against an entry "Observation/1".
    const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
    return m ? this.byKey.get(`${m[1]}/${m[2]}`) : undefined;
  }

  ofType(resourceType: string): IndexedResource[] {
    return this.entries.filter((e) => e.resourceType === resourceType);
  }
}

export interface NotificationInfo {
  /** handshake, heartbeat, event-notification, query-status or query-event. */
  type: string;
  subscription?: string;
  /** References the notification is about (notificationEvent.focus). */
  focus: string[];
}

/**
 * The subscription status a notification Bundle starts with: an R4B/R5 SubscriptionStatus or, in the R4
 * backport, a Parameters resource with the backport-subscription-status profile.
 */
export function readNotification(bundle: Loose<Bundle>): NotificationInfo | undefined {
  const firstEntry = asLoose<BundleEntry>(asArray(bundle.entry)[0]);
  const first = asRecord(firstEntry?.resource);
  if (!first) return undefined;
  if (first.resourceType === 'SubscriptionStatus') {
    const status = first as Loose<SubscriptionStatus>;
    const focus = asArray(status.notificationEvent)
      .map((event) => asText(asRecord(asRecord(event)?.focus)?.reference))
      .filter((ref): ref is string => ref !== undefined);
    const info: NotificationInfo = { type: asText(status.type) ?? 'event-notification', focus };
    const subscription = asText(asRecord(status.subscription)?.reference);
    if (subscription) info.subscription = subscription;
    return info;
  }
  if (first.resourceType === 'Parameters') {
    const params = first as Loose<Parameters>;
    const profiles = asArray(asRecord(params.meta)?.profile).map(asString);
    const parameters = asArray(params.parameter).map(asRecord);
    const isStatus =
      profiles.some((p) => p?.includes('subscription-status')) ||
      parameters.some((p) => p?.name === 'subscription');
    if (!isStatus) return undefined;
    const byName = (name: string): Array<Record<string, unknown>> =>
      parameters.filter((p): p is Record<string, unknown> => p?.name === name);
    const focus: string[] = [];
    for (const event of byName('notification-event')) {
      for (const part of asArray(event.part).map(asRecord)) {
        const ref = part?.name === 'focus' ? asText(asRecord(part.valueReference)?.reference) : undefined;
        if (ref) focus.push(ref);
      }
    }
    const info: NotificationInfo = {
      type: asText(byName('type')[0]?.valueCode) ?? 'event-notification',
      focus,
    };
    const subscription = asText(asRecord(byName('subscription')[0]?.valueReference)?.reference);
    if (subscription) info.subscription = subscription;
    return info;
  }
  return undefined;
}
