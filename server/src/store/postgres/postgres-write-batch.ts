import type { WriteOp } from '../call-batch.ts'
import { changeKey } from '../change-feed.ts'
import * as rows from '../store-rows.ts'

/*
 * The write half of a group of calls as the argument of `parley_write_group` (its migration
 * below). Every call's writes, in order, become a list of steps:
 *
 * - `['rows', {claims, profiles, links, accounts, keys, logs, events, conversions}]`: rows of each
 *   table, one `[…values]` array a row in the column order of store-rows.ts, that the function
 *   writes with one statement a table;
 * - `['move', from, to]`, `['delete', id]`, `['unlink', anonymousId]`: writes that depend on what
 *   the tables hold, each carried out on its own, after every row before it, by migration 6's
 *   `parley_write_calls` (the same format).
 *
 * A `rows` step ends where a write names a key that step already writes: an upsert may touch a
 * row once a statement, and a step of distinct keys applied table by table in arrival order
 * leaves what the writes one by one leave (no table's rows depend on another's; the identity
 * columns count one value a row either way, so even `seq` comes out the same). Documents stay
 * JSON text inside the JSON, as the tables keep them.
 */

/** The tables a `rows` step writes; each row is an array of column values. */
interface RowsStep {
  claims?: unknown[][]
  profiles?: unknown[][]
  links?: unknown[][]
  accounts?: unknown[][]
  keys?: unknown[][]
  logs?: unknown[][]
  events?: unknown[][]
  conversions?: unknown[][]
}

/** A group's writes (one list a call, in the order the calls were planned) as the function's steps. */
export function encodeGroupWrites(calls: readonly (readonly WriteOp[])[]): unknown[][] {
  const steps: unknown[][] = []
  let tables: RowsStep = {}
  let keys = new Set<string>()
  const flush = () => {
    if (Object.keys(tables).length > 0) steps.push(['rows', tables])
    tables = {}
    keys = new Set()
  }
  /** Adds a row; `key` names the row an upsert would touch (none for appended rows). */
  const add = (table: keyof RowsStep, row: unknown[], key?: string) => {
    if (key !== undefined) {
      const named = `${table}:${key}`
      if (keys.has(named)) flush()
      keys.add(named)
    }
    ;(tables[table] ??= []).push(row)
  }
  const alone = (step: unknown[]) => {
    flush()
    steps.push(step)
  }
  for (const writes of calls) {
    for (const write of writes) {
      switch (write.op) {
        case 'claimMessage':
          add('claims', [write.key, write.receivedAt], write.key)
          break
        case 'putProfile':
          add('profiles', rows.profileParams(write.profile), write.profile.id)
          break
        case 'linkAnonymousId':
          add('links', [write.anonymousId, write.profileId, write.at], write.anonymousId)
          break
        case 'putAccount':
          add('accounts', rows.accountParams(write.account), write.account.id)
          break
        case 'linkAccountKey':
          add('keys', [write.key, write.accountId], write.key)
          break
        case 'appendMergeLog':
          add('logs', rows.mergeLogParams(write.entry))
          break
        case 'appendEvent':
          add('events', rows.eventParams(write.event))
          break
        case 'recordConversion': {
          const { profileId, experienceId, goal, at } = write.conversion
          add(
            'conversions',
            [profileId, experienceId, goal, at],
            JSON.stringify([profileId, experienceId, goal]),
          )
          break
        }
        case 'deleteProfile':
          alone(['delete', write.id])
          break
        case 'unlinkAnonymousId':
          alone(['unlink', write.anonymousId])
          break
        case 'moveProfileData':
          alone(['move', write.fromProfileId, write.toProfileId])
          break
      }
    }
  }
  flush()
  return steps
}

/** What `parley_write_group` answered. */
export interface WriteOutcome {
  /** Per merged-away profile, the devices its merge relinked. */
  moved: Record<string, string[]>
}

/**
 * The change keys (see change-feed.ts) of one call's writes once committed: the same keys
 * `trackChanges` marks for the statement-grain writer, the devices a merge relinked included.
 */
export function changedKeys(
  writes: readonly WriteOp[],
  moved: WriteOutcome['moved'],
  into: Set<string>,
): void {
  const mark = (...keys: string[]) => {
    for (const key of keys) into.add(key)
  }
  for (const write of writes) {
    switch (write.op) {
      case 'putProfile':
        mark(changeKey.profile(write.profile.id))
        break
      case 'deleteProfile':
        mark(changeKey.profile(write.id), changeKey.impressions(write.id))
        break
      case 'linkAnonymousId':
        mark(changeKey.device(write.anonymousId), changeKey.profile(write.profileId))
        break
      case 'unlinkAnonymousId':
        mark(changeKey.device(write.anonymousId))
        break
      case 'moveProfileData': {
        const { fromProfileId: from, toProfileId: to } = write
        mark(changeKey.profile(from), changeKey.profile(to))
        mark(changeKey.impressions(from), changeKey.impressions(to))
        mark(...(moved[from] ?? []).map(changeKey.device))
        break
      }
      case 'putAccount':
        mark(changeKey.account(write.account.id))
        break
      case 'linkAccountKey':
        mark(changeKey.account(write.accountId))
        break
      case 'claimMessage':
      case 'appendMergeLog':
      case 'appendEvent':
      case 'recordConversion':
        break
    }
  }
}

/**
 * Migration 7 of the PostgreSQL engine (listed in postgres-schema.ts): `parley_write_group`,
 * which takes `encodeGroupWrites`'s steps. It replaces `parley_write_calls` (migration 6), which
 * ran one statement a write, five to seven a call, as the group's writer. That function still
 * carries out the merges, deletes and unlinks, and serves instances of the previous release
 * during a rolling deploy; PL/pgSQL records no dependency on a function it calls, so PostgreSQL
 * would let it be dropped: it must stay. The statements are key lookups (sequential scans off,
 * as in migration 6). A message key another transaction claimed first raises a serialization
 * failure (40001), so the engine retries the group call by call and that call answers
 * "duplicate". The answer names the devices each merge relinked, for the change feed. Plain
 * statements, no EXCEPTION block: each would be a subtransaction.
 */
export const postgresWriteGroupMigration = `
  CREATE FUNCTION parley_write_group(steps jsonb) RETURNS jsonb LANGUAGE plpgsql
  SET enable_seqscan = off AS $fn$
  DECLARE
    step jsonb;
    batch jsonb;
    claimed integer;
    moved jsonb := '{}';
  BEGIN
    FOR s IN 0 .. jsonb_array_length(steps) - 1 LOOP
      step := steps -> s;
      CASE step ->> 0
      WHEN 'rows' THEN
        batch := step -> 1;
        -- Every row in the order of its array (ORDER BY n): the identity columns count, and the
        -- unique index on profiles.user_id checks, one row after another as the writes came.
        IF batch ? 'claims' THEN
          INSERT INTO messages (key, received_at)
          SELECT r ->> 0, (r ->> 1)::bigint
          FROM jsonb_array_elements(batch -> 'claims') WITH ORDINALITY AS e(r, n) ORDER BY n
          ON CONFLICT (key) DO NOTHING;
          GET DIAGNOSTICS claimed = ROW_COUNT;
          IF claimed < jsonb_array_length(batch -> 'claims') THEN
            RAISE EXCEPTION 'a message of the group was claimed by another call'
              USING ERRCODE = 'serialization_failure';
          END IF;
        END IF;
        IF batch ? 'profiles' THEN
          INSERT INTO profiles (id, user_id, account_id, doc, created_at, updated_at)
          SELECT r ->> 0, r ->> 1, r ->> 2, r ->> 3, (r ->> 4)::bigint, (r ->> 5)::bigint
          FROM jsonb_array_elements(batch -> 'profiles') WITH ORDINALITY AS e(r, n) ORDER BY n
          ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id,
            account_id = excluded.account_id, doc = excluded.doc,
            created_at = excluded.created_at, updated_at = excluded.updated_at;
        END IF;
        IF batch ? 'links' THEN
          INSERT INTO anonymous_ids (anonymous_id, profile_id, linked_at)
          SELECT r ->> 0, r ->> 1, (r ->> 2)::bigint
          FROM jsonb_array_elements(batch -> 'links') WITH ORDINALITY AS e(r, n) ORDER BY n
          ON CONFLICT (anonymous_id) DO UPDATE SET profile_id = excluded.profile_id,
            linked_at = excluded.linked_at;
        END IF;
        IF batch ? 'accounts' THEN
          INSERT INTO accounts (id, doc, created_at, updated_at)
          SELECT r ->> 0, r ->> 1, (r ->> 2)::bigint, (r ->> 3)::bigint
          FROM jsonb_array_elements(batch -> 'accounts') WITH ORDINALITY AS e(r, n) ORDER BY n
          ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at;
        END IF;
        IF batch ? 'keys' THEN
          INSERT INTO account_keys (key, account_id)
          SELECT r ->> 0, r ->> 1
          FROM jsonb_array_elements(batch -> 'keys') WITH ORDINALITY AS e(r, n) ORDER BY n
          ON CONFLICT (key) DO UPDATE SET account_id = excluded.account_id;
        END IF;
        IF batch ? 'logs' THEN
          INSERT INTO merge_log (at, kind, from_profile_id, into_profile_id, anonymous_id,
            user_id, reason, message_id)
          SELECT (r ->> 0)::bigint, r ->> 1, r ->> 2, r ->> 3, r ->> 4, r ->> 5, r ->> 6, r ->> 7
          FROM jsonb_array_elements(batch -> 'logs') WITH ORDINALITY AS e(r, n) ORDER BY n;
        END IF;
        IF batch ? 'events' THEN
          INSERT INTO events (profile_id, type, name, at, received_at, message_id, properties)
          SELECT r ->> 0, r ->> 1, r ->> 2, (r ->> 3)::bigint, (r ->> 4)::bigint, r ->> 5, r ->> 6
          FROM jsonb_array_elements(batch -> 'events') WITH ORDINALITY AS e(r, n) ORDER BY n;
        END IF;
        IF batch ? 'conversions' THEN
          INSERT INTO conversions (profile_id, experience_id, goal, at)
          SELECT r ->> 0, r ->> 1, r ->> 2, (r ->> 3)::bigint
          FROM jsonb_array_elements(batch -> 'conversions') WITH ORDINALITY AS e(r, n) ORDER BY n
          ON CONFLICT DO NOTHING;
        END IF;
      ELSE
        -- A merge, a delete or an unlink: migration 6's function carries it out, as one call of
        -- one write (the step has that write's format).
        moved := moved || (parley_write_calls(jsonb_build_array(jsonb_build_array(step)))
          -> 'moved');
      END CASE;
    END LOOP;
    RETURN jsonb_build_object('moved', moved);
  END
  $fn$;
`
