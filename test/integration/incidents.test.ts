/** The incident service's behaviour on every SQL store: embedded PGlite and PostgreSQL. */
import { SQL_ADAPTERS } from '../support/sql-adapters.js';
import { incidentServiceSuite } from './incidents.suite.js';

for (const adapter of SQL_ADAPTERS) incidentServiceSuite(adapter);
