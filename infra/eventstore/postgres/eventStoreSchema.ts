// Tables and the append function of the PostgreSQL event store, all inside one schema.
//
// Ordering that cannot skip events: every append locks its stream rows first, then, as its very last
// step, takes the single `es_head` row and hands out dense positions head+1…head+n. The head row lock
// is held until commit, so positions are handed out in commit order and a reader that has seen
// position p has also seen every position below it.
import type { Migration } from "../../postgres/migrate.ts";

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid SQL identifier: ${name}`);
  return `"${name}"`;
}

export function eventStoreMigrations(schema: string): Migration[] {
  const s = quoteIdent(schema);
  return [
    {
      id: "eventstore-001-tables",
      sql: `
        create schema if not exists ${s};
        create table ${s}.es_streams (
          stream_id text collate "C" primary key,
          revision bigint not null default -1,
          deleted boolean not null default false,
          tombstoned boolean not null default false,
          truncate_before bigint,
          max_count bigint,
          max_age_seconds bigint
        );
        create table ${s}.es_events (
          position bigint primary key,
          stream_id text collate "C" not null,
          revision bigint not null,
          event_id uuid not null,
          type text not null,
          data jsonb not null,
          metadata jsonb not null,
          created_at timestamptz not null default clock_timestamp(),
          unique (stream_id, revision),
          unique (stream_id, event_id)
        );
        create index es_events_type_position on ${s}.es_events (type, position);
        create table ${s}.es_head (
          id boolean primary key default true check (id),
          head bigint not null
        );
        insert into ${s}.es_head (head) values (0);
      `,
    },
    {
      // `create or replace`: a new version of the function gets a new id and replaces the old one
      id: "eventstore-append-v7",
      sql: appendFunctionSql(s),
    },
  ];
}

// es_append appends a batch of independent requests (at most one per stream) in one transaction and
// returns one result per request; a refused request writes nothing and does not affect the others.
// Request i is (streams[i], expected[i]: "any"|"no_stream"|"stream_exists"|"<revision>", counts[i]);
// its events are the next counts[i] entries of the flat ids/types/data/meta arrays — column arrays,
// like a plain multi-row insert, so nothing is parsed twice. Result: {ok: true, rev, pos} |
// {ok: false, tag, actual}.
function appendFunctionSql(s: string): string {
  return `
    drop function if exists ${s}.es_append(jsonb);
    create or replace function ${s}.es_append(
      p_streams text[], p_expected text[], p_counts int[],
      p_ids uuid[], p_types text[], p_data jsonb[], p_meta jsonb[]
    ) returns jsonb
    language plpgsql as $fn$
    declare
      results jsonb[] := '{}';
      ends int[] := '{}';
      accepted boolean[] := '{}';
      -- per event of the p_ arrays: the request it belongs to, 0 when that request was refused
      e_req int[] := '{}';
      -- per request: revision of an event = r_base + its index in the p_ arrays
      r_base bigint[] := '{}';
      v_stream text;
      v_expected text;
      v_n int;
      v_from int;
      v_rev bigint;
      v_deleted boolean;
      v_tombstoned boolean;
      v_created boolean;
      v_ids uuid[];
      v_found int;
      v_min bigint;
      v_max bigint;
      v_last_pos bigint;
      v_exists boolean;
      ok boolean;
      offs int := 0;
      total int := 0;
      v_head bigint;
      i int;
    begin
      for i in 1 .. coalesce(array_length(p_streams, 1), 0) loop
        v_stream := p_streams[i];
        v_expected := p_expected[i];
        v_n := p_counts[i];
        v_from := offs + 1;
        offs := offs + v_n;
        v_created := false;
        r_base := r_base || (0::bigint);

        if v_n > 0 and v_expected = 'no_stream' then
          -- the usual first append of a stream: create its row, with its final revision, at once
          insert into ${s}.es_streams (stream_id, revision) values (v_stream, v_n - 1) on conflict do nothing;
          v_created := found;
        elsif v_n > 0 and v_expected not in ('any', 'stream_exists') then
          -- the usual next append, at an exact revision: when none of its ids is in the stream yet, one
          -- update takes the stream's row if it still stands at that revision (else the full path below)
          v_ids := p_ids[v_from : offs];
          if not exists (select 1 from ${s}.es_events ev where ev.stream_id = v_stream and ev.event_id = any(v_ids)) then
            update ${s}.es_streams set revision = revision + v_n
              where stream_id = v_stream and revision = v_expected::bigint and not deleted and not tombstoned;
            if found then
              r_base[i] := v_expected::bigint + 1 - v_from;
              e_req := e_req || array_fill(i, array[v_n]);
              total := total + v_n;
              results := results || jsonb_build_object('ok', true, 'rev', v_expected::bigint + v_n);
              ends := ends || total; accepted := accepted || true;
              continue;
            end if;
          end if;
        end if;
        if v_created then
          v_rev := -1; v_deleted := false; v_tombstoned := false;
        else
          select st.revision, st.deleted, st.tombstoned into v_rev, v_deleted, v_tombstoned
            from ${s}.es_streams st where st.stream_id = v_stream for update;
        end if;
        if not v_created and not found then
          v_rev := -1; v_deleted := false; v_tombstoned := false;
          if v_n > 0 and v_expected in ('any', 'no_stream') then
            -- a new stream is created with its final revision: one write instead of insert + update
            insert into ${s}.es_streams (stream_id, revision) values (v_stream, v_n - 1) on conflict do nothing;
            v_created := found;
            if not v_created then -- created by a concurrent writer meanwhile
              select st.revision, st.deleted, st.tombstoned into v_rev, v_deleted, v_tombstoned
                from ${s}.es_streams st where st.stream_id = v_stream for update;
            end if;
          end if;
        end if;

        if v_tombstoned then
          results := results || jsonb_build_object('ok', false, 'tag', 'StreamDeleted');
          ends := ends || total; accepted := accepted || false;
          e_req := e_req || array_fill(0, array[v_n]);
          continue;
        end if;

        v_exists := v_rev >= 0 and not v_deleted;

        -- idempotency: the same event ids already in this stream (a stream never written has none)
        v_found := 0;
        if v_rev >= 0 and v_n > 0 then
          v_ids := p_ids[v_from : offs];
          select count(*), min(ev.revision), max(ev.revision), max(ev.position)
            into v_found, v_min, v_max, v_last_pos
            from ${s}.es_events ev where ev.stream_id = v_stream and ev.event_id = any(v_ids);
        end if;
        if v_found > 0 then
          ok := v_found = v_n and v_max - v_min + 1 = v_n
            and (select bool_and(ev.revision = v_min + o.ord - 1)
                   from unnest(v_ids) with ordinality o(id, ord)
                   join ${s}.es_events ev on ev.stream_id = v_stream and ev.event_id = o.id)
            and case v_expected
                  when 'any' then true
                  when 'no_stream' then v_min = 0
                  when 'stream_exists' then v_min > 0
                  else v_expected::bigint = v_min - 1
                end;
          if ok then
            results := results || jsonb_build_object('ok', true, 'rev', v_max, 'pos', v_last_pos);
          else
            results := results || jsonb_build_object('ok', false, 'tag', 'WrongExpectedVersion',
              'actual', case when v_exists then v_rev end);
          end if;
          ends := ends || total; accepted := accepted || false;
          e_req := e_req || array_fill(0, array[v_n]);
          continue;
        end if;

        ok := case v_expected
                when 'any' then true
                when 'no_stream' then not v_exists
                when 'stream_exists' then v_exists
                else v_exists and v_rev = v_expected::bigint
              end;
        if not ok then
          results := results || jsonb_build_object('ok', false, 'tag', 'WrongExpectedVersion',
            'actual', case when v_exists then v_rev end);
          ends := ends || total; accepted := accepted || false;
          e_req := e_req || array_fill(0, array[v_n]);
          continue;
        end if;

        if v_n > 0 and not v_created then
          update ${s}.es_streams set revision = v_rev + v_n, deleted = false where stream_id = v_stream;
        end if;
        r_base[i] := v_rev + 1 - v_from;
        e_req := e_req || array_fill(i, array[v_n]);
        total := total + v_n;
        results := results || jsonb_build_object('ok', true, 'rev', v_rev + v_n);
        ends := ends || total; accepted := accepted || true;
      end loop;

      -- last step: dense positions in commit order (the head row stays locked until commit)
      if total > 0 then
        update ${s}.es_head set head = es_head.head + total returning es_head.head into v_head;
        if total = array_length(p_ids, 1) then
          insert into ${s}.es_events (position, stream_id, revision, event_id, type, data, metadata)
            select v_head - total + u.ord, p_streams[u.req], r_base[u.req] + u.ord, u.eid, u.typ, u.dat, u.met
            from unnest(e_req, p_ids, p_types, p_data, p_meta) with ordinality u(req, eid, typ, dat, met, ord);
        else -- some requests were refused: leave their events out, positions stay dense
          insert into ${s}.es_events (position, stream_id, revision, event_id, type, data, metadata)
            select v_head - total + row_number() over (order by u.ord), p_streams[u.req],
                   r_base[u.req] + u.ord, u.eid, u.typ, u.dat, u.met
            from unnest(e_req, p_ids, p_types, p_data, p_meta) with ordinality u(req, eid, typ, dat, met, ord)
            where u.req > 0;
        end if;
      else
        select h.head into v_head from ${s}.es_head h;
      end if;

      for i in 1 .. coalesce(array_length(results, 1), 0) loop
        if accepted[i] then
          results[i] := results[i] || jsonb_build_object('pos', v_head - total + ends[i]);
        end if;
      end loop;
      return to_jsonb(results);
    end
    $fn$;
  `;
}

/**
 * The NOTIFY channel appends are announced on — after their commit and outside the append
 * transaction (a NOTIFY inside it would serialize every commit on the notification queue's lock).
 */
export function appendChannel(schema: string): string {
  return `${schema}.es_appended`;
}
