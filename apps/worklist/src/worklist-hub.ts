import { Injectable } from '@nestjs/common';
import type { ReviewState, WorklistRow } from '@radflow/worklist-core';

/** What every open page hears: a new or newer enriched exam, or a review verdict. */
export type WorklistEvent =
  | { type: 'row'; row: WorklistRow }
  | { type: 'review'; review: { id: string; state: ReviewState; reviewedBy: string } };

type Listener = (event: WorklistEvent) => void;

/** Fan-out of worklist events to the server-sent-event streams of this process. */
@Injectable()
export class WorklistHub {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: WorklistEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
