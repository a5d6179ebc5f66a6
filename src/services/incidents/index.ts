/**
 * incident-service: turns IncidentEvents into incidents, serves the incident and log search API,
 * and publishes lifecycle notifications through the outbox. The schema is migrated by the
 * platform before this starts; the HTTP app is created and started by the caller.
 */
import type { FastifyInstance } from 'fastify';
import type { Subscription } from '../../bus/port.js';
import { BatchWriter, SQL_FLUSH_INTERVAL_MS } from '../../runtime/batch-writer.js';
import { consumeMessages } from '../../runtime/consumer.js';
import { errorMessage, TransientError } from '../../runtime/errors.js';
import type { RunningService, ServiceContext } from '../../runtime/service.js';
import { TOPIC } from '../../contracts/topics.js';
import type { IncidentEvent } from '../../contracts/types.js';
import type { LogStore } from '../../storage/log-store.js';
import type { SqlDatabase } from '../../storage/sql-database.js';
import { applyIncidentEvent, applyIncidentEvents, type ApplyResult } from './apply-incident-event.js';
import { isDatabaseUnavailable } from './db-errors.js';
import { registerLogRoutes } from './log-routes.js';
import { createOutboxRelay } from './outbox-relay.js';
import { registerIncidentRoutes } from './routes.js';

export const INCIDENT_SERVICE = 'incident-service';
export const INCIDENT_GROUP = 'incident-service.incident-event-handler';

export interface IncidentServiceContext extends ServiceContext {
  db: SqlDatabase;
  logStore: LogStore;
  app: FastifyInstance;
}

/** The error as a TransientError when it means the database is unreachable, else undefined. */
function asOutage(err: unknown): TransientError | undefined {
  if (err instanceof TransientError) return err;
  return isDatabaseUnavailable(err) ? new TransientError(`database unavailable: ${errorMessage(err)}`) : undefined;
}

export async function startIncidentService(ctx: IncidentServiceContext): Promise<RunningService> {
  const { db, bus, app } = ctx;
  const logger = ctx.logger.child({ service: INCIDENT_SERVICE });
  const relay = createOutboxRelay({ db, bus, logger });

  registerIncidentRoutes(app, { db, onOutboxWritten: relay.kick });
  registerLogRoutes(app, { db, logStore: ctx.logStore });
  relay.start();

  /**
   * Applies incident events in as few transactions as the load allows: the events of every
   * partition that arrive while one transaction runs, or within 250 ms of its start, are
   * applied together (a transaction has a fixed cost: ≈ 8 statements, each a round trip to the
   * embedded database's thread).
   * Events of one (tenant, fingerprint) share a partition, and a partition's events join in order.
   */
  const applier = new BatchWriter<IncidentEvent>((events) => applyEvents(events), {
    batchRows: 1000,
    flushIntervalMs: SQL_FLUSH_INTERVAL_MS,
  });

  async function applyEvents(events: IncidentEvent[]): Promise<void> {
    let applied: ApplyResult[] | undefined;
    try {
      applied = await applyIncidentEvents(db, events);
    } catch (err) {
      // The database being down says nothing about the messages: redeliver, do not dead-letter.
      const outage = asOutage(err);
      if (outage) throw outage;
    }
    if (applied) {
      announce(events, applied);
      return;
    }
    // One transaction per event, in order, up to the first that fails. The BatchWriter then
    // applies each partition's events alone (again: applying is idempotent), so only the batch
    // holding the bad event fails, and its consume loop isolates it.
    const results: ApplyResult[] = [];
    try {
      for (const event of events) results.push(await applyIncidentEvent(db, event));
    } catch (single) {
      throw asOutage(single) ?? single;
    } finally {
      // What was applied before a failure is applied for good: say so now, applied again it is
      // no longer "opened".
      announce(events, results);
    }
  }

  /** Logs the incidents opened and has the relay publish their notifications. */
  function announce(events: IncidentEvent[], results: ApplyResult[]): void {
    let opened = 0;
    results.forEach((result, i) => {
      if (result.outcome !== 'opened') return;
      opened++;
      const event = events[i];
      logger.info(
        { tenantId: event.tenantId, incidentId: result.incident.id, fingerprint: event.fingerprint, severity: event.severity },
        'incident opened',
      );
    });
    if (opened > 0) relay.kick();
  }

  let subscription: Subscription;
  try {
    subscription = await consumeMessages({
      bus,
      logger,
      service: INCIDENT_SERVICE,
      groupId: INCIDENT_GROUP,
      topic: TOPIC.incidentEvents,
      message: 'IncidentEvent',
      handle: (messages) => applier.append(messages.map((m) => m.value)),
    });
  } catch (err) {
    await relay.stop();
    throw err;
  }

  return {
    async stop() {
      // Consumer first, so the relay's last run also publishes what the last events wrote.
      await subscription.stop();
      await relay.stop();
    },
  };
}
