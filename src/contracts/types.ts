/** Message and request types, all generated from the contracts (see types.generated.ts). */
import type * as G from './types.generated.js';

export type RawLogEvent = G.RawLogEvent;
export type NormalizedLogEvent = G.NormalizedLogEvent;
export type IncidentEvent = G.IncidentEvent;
export type NotificationEvent = G.NotificationEvent;
export type DlqEvent = G.DlqEvent;
export type Severity = G.Severity;
export type IncidentStatus = G.IncidentStatus;
export type LogInput = G.LogInput;
export type AssignIncidentRequest = G.AssignIncidentRequest;
export type TransitionRequest = G.TransitionRequest;
export type FingerprintRulesFile = G.FingerprintRulesFile;
export type FingerprintRule = G.FingerprintRule;
export type FingerprintMatch = G.FingerprintMatch;
export type FailedAt = DlqEvent['failedAt'];
export type NotificationType = NotificationEvent['notificationType'];

/** The message schemas of asyncapi.yaml by name. */
export interface ContractSchemas {
  RawLogEvent: RawLogEvent;
  NormalizedLogEvent: NormalizedLogEvent;
  IncidentEvent: IncidentEvent;
  NotificationEvent: NotificationEvent;
  DlqEvent: DlqEvent;
}
