-- Incidents, the clustering windows counted into them, their state history, and the transactional
-- outbox of their notifications. Plain PostgreSQL: runs unchanged on PGlite and PostgreSQL 15+.
-- Every table carries tenant_id; references between tables include it, so no row can point at
-- another tenant's incident.

create table incidents (
  id uuid primary key,
  tenant_id uuid not null,
  fingerprint text not null,
  service_name text not null,
  environment text not null,
  severity text not null,
  status text not null,
  -- Sum of the counts of the incident's windows (incident_windows).
  occurrence_count bigint not null,
  first_seen_at timestamptz not null,
  last_seen_at timestamptz not null,
  -- Up to 10 distinct messages, oldest first (AI prompt context).
  top_messages jsonb not null default '[]'::jsonb,
  assigned_to_user_id uuid,
  -- The resolved incident of the same fingerprint this one recurs after.
  previous_incident_id uuid,
  ai_summary text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  resolved_at timestamptz,
  constraint incidents_tenant_id_id_key unique (tenant_id, id),
  constraint incidents_fingerprint_check check (fingerprint ~ '^[0-9a-f]{64}$'),
  constraint incidents_severity_check check (severity in ('HIGH', 'MEDIUM', 'LOW')),
  constraint incidents_status_check check (status in ('NEW', 'ASSIGNED', 'ACKNOWLEDGED', 'RESOLVED')),
  constraint incidents_occurrence_count_check check (occurrence_count >= 1),
  constraint incidents_seen_order_check check (first_seen_at <= last_seen_at),
  constraint incidents_top_messages_check check (jsonb_typeof(top_messages) = 'array'),
  constraint incidents_resolved_at_check check ((status = 'RESOLVED') = (resolved_at is not null)),
  constraint incidents_assignee_check check (status not in ('ASSIGNED', 'ACKNOWLEDGED') or assigned_to_user_id is not null),
  constraint incidents_previous_incident_fkey foreign key (tenant_id, previous_incident_id) references incidents (tenant_id, id)
);

-- At most one active (not yet resolved) incident per fingerprint: the backstop against two
-- consumers opening the same incident at once.
create unique index incidents_one_active_per_fingerprint on incidents (tenant_id, fingerprint) where status <> 'RESOLVED';
-- The latest resolved incident of a fingerprint, which a recurrence links to.
create index incidents_resolved_by_fingerprint on incidents (tenant_id, fingerprint, resolved_at desc) where status = 'RESOLVED';
-- The incident list: newest first, keyset-paginated, optionally by status.
create index incidents_newest_first on incidents (tenant_id, last_seen_at desc, id desc);
create index incidents_by_status_newest_first on incidents (tenant_id, status, last_seen_at desc, id desc);

-- One row per clustering window of a fingerprint. The threshold event and the closing event of a
-- window (and any redelivery) land on the same row, which keeps the largest count reported, so a
-- window is counted once.
create table incident_windows (
  tenant_id uuid not null,
  fingerprint text not null,
  window_start timestamptz not null,
  window_end timestamptz,
  incident_id uuid not null,
  occurrence_count bigint not null,
  first_seen_at timestamptz not null,
  last_seen_at timestamptz not null,
  -- The closing event of the window was received.
  final boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint incident_windows_pkey primary key (tenant_id, fingerprint, window_start),
  constraint incident_windows_occurrence_count_check check (occurrence_count >= 1),
  constraint incident_windows_incident_fkey foreign key (tenant_id, incident_id) references incidents (tenant_id, id)
);

create index incident_windows_by_incident on incident_windows (tenant_id, incident_id);

-- Every status change of an incident, its creation included (from_status null).
create table incident_state_history (
  id bigint generated always as identity primary key,
  tenant_id uuid not null,
  incident_id uuid not null,
  from_status text,
  to_status text not null,
  -- Who made the change: 'system' for changes made by the pipeline; null for API calls until
  -- requests carry an authenticated user.
  actor text,
  assigned_to_user_id uuid,
  notes text,
  changed_at timestamptz not null default now(),
  constraint incident_state_history_from_status_check check (from_status in ('NEW', 'ASSIGNED', 'ACKNOWLEDGED', 'RESOLVED')),
  constraint incident_state_history_to_status_check check (to_status in ('NEW', 'ASSIGNED', 'ACKNOWLEDGED', 'RESOLVED')),
  constraint incident_state_history_incident_fkey foreign key (tenant_id, incident_id) references incidents (tenant_id, id)
);

create index incident_state_history_by_incident on incident_state_history (tenant_id, incident_id, id);

-- Transactional outbox: a NotificationEvent is written in the transaction that changes the
-- incident, and published to notification-events afterwards (at least once; consumers dedup by id).
create table incident_outbox (
  id uuid primary key,
  -- Publication order; the incident's row lock makes it the commit order of one incident's changes.
  seq bigint generated always as identity,
  tenant_id uuid not null,
  incident_id uuid not null,
  notification_type text not null,
  payload jsonb not null,
  created_at timestamptz not null default now(),
  published_at timestamptz,
  constraint incident_outbox_seq_key unique (seq),
  constraint incident_outbox_notification_type_check check (notification_type in ('INCIDENT_CREATED', 'INCIDENT_ASSIGNED', 'INCIDENT_RESOLVED')),
  constraint incident_outbox_incident_fkey foreign key (tenant_id, incident_id) references incidents (tenant_id, id)
);

create index incident_outbox_unpublished on incident_outbox (seq) where published_at is null;
create index incident_outbox_published on incident_outbox (published_at) where published_at is not null;
