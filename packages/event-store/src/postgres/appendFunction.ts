import type { PostgresNames } from './postgresSchema';

/**
 * `append_batch`: one group of appends decided and written in one statement, so the whole
 * transaction is one round trip and the append lock is held only while the server works and
 * flushes the commit, never while packets cross the network.
 *
 * Appends are given as parallel arrays (stream, expected revision coded as a number, event
 * count), their events flattened in order. It takes the append lock, reads the log's last
 * position, the batch's stream heads and where any of the batch's ids already sit, then decides
 * each append in order (a conflict rejects only that append; an earlier append of the same
 * batch counts), inserts every accepted event at max + 1 onwards and sends one NOTIFY.
 * Returns one row per append: status 0 written, 1 already there (idempotent retry: the
 * original revision and position), 2 conflict (`revision` is then the actual head, -1 for no
 * stream). Expected revision codes: n >= 0 exact, -1 no_stream, -2 any, -3 stream_exists.
 */
export function appendFunctionSql(names: PostgresNames): string {
  const events = names.events;
  return `CREATE OR REPLACE FUNCTION ${names.appendFunction}(
  a_stream text[], a_expected bigint[], a_count int[],
  e_id text[], e_key int[], e_type text[], e_data text[], e_meta text[],
  channel text, lock_class int, lock_key int)
RETURNS TABLE (status int, revision bigint, pos bigint)
LANGUAGE plpgsql
-- Its small statements can carry large generic-plan cost estimates; compiling them with JIT
-- took longer (about 8 ms) than running them.
SET jit = off
AS $fn$
#variable_conflict use_column
DECLARE
  last_pos bigint;
  s_names text[];
  s_heads bigint[];
  k_id text[]; k_stream text[]; k_rev bigint[]; k_pos bigint[];
  o_pos bigint[] := '{}'; o_stream text[] := '{}'; o_rev int[] := '{}'; o_id text[] := '{}';
  o_key int[] := '{}'; o_type text[] := '{}'; o_data text[] := '{}'; o_meta text[] := '{}';
  r_status int[] := '{}'; r_rev bigint[] := '{}'; r_pos bigint[] := '{}';
  first_event int := 1;
  i int; j int; k int; si int; cur bigint; expected bigint; n int; from_rev bigint;
  found_pos bigint; same boolean;
  w_first bigint[]; w_n int[]; w_start bigint[]; w_stream text[]; w_rev0 bigint[]; added bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(lock_class, lock_key);
  SELECT coalesce(max(e.position), 0) INTO last_pos FROM ${events} e;
  s_names := ARRAY(SELECT DISTINCT unnest(a_stream));
  SELECT array_agg(coalesce(h.m, -1) ORDER BY s.ord) INTO s_heads
    FROM unnest(s_names) WITH ORDINALITY AS s(name, ord)
    LEFT JOIN LATERAL (SELECT max(e.revision)::bigint AS m FROM ${events} e WHERE e.stream_id = s.name) h ON true;
  -- One index probe per id, fenced by OFFSET 0 so that the planner cannot turn it into a
  -- join: the generic plan of \`= ANY\` or of a join scans the whole log (the pool turns
  -- bitmap scans off), a cost that grows with every event ever appended.
  SELECT coalesce(array_agg(e.event_id), '{}'), coalesce(array_agg(e.stream_id), '{}'),
         coalesce(array_agg(e.revision::bigint), '{}'), coalesce(array_agg(e.position), '{}')
    INTO k_id, k_stream, k_rev, k_pos
    FROM unnest(e_key, e_id) AS x(k, id)
    CROSS JOIN LATERAL (
      SELECT f.event_id, f.stream_id, f.revision, f.position FROM ${events} f
      WHERE f.event_key = x.k AND f.event_id = x.id OFFSET 0) e;

  -- The common case, decided as sets: every append to a stream of its own and none of the ids
  -- stored already, so no append's outcome depends on another's and nothing can be a retry.
  -- (Statement by statement, PL/pgSQL spent about 30 microseconds per event.)
  IF cardinality(s_names) = cardinality(a_stream) AND cardinality(k_id) = 0 THEN
    WITH x AS (
      SELECT x.ord, x.stream, x.n, h.head,
             sum(x.n) OVER (ORDER BY x.ord) - x.n + 1 AS first_event,
             CASE x.expected WHEN -2 THEN true WHEN -3 THEN h.head <> -1
               WHEN -1 THEN h.head = -1 ELSE h.head = x.expected END AS ok
        FROM unnest(a_stream, a_expected, a_count) WITH ORDINALITY AS x(stream, expected, n, ord)
        JOIN unnest(s_names, s_heads) AS h(name, head) ON h.name = x.stream
    ), d AS (
      SELECT x.*, last_pos + coalesce(sum(x.n) FILTER (WHERE x.ok) OVER (ORDER BY x.ord), 0) AS end_pos
        FROM x
    )
    SELECT array_agg(CASE WHEN d.ok THEN 0 ELSE 2 END ORDER BY d.ord),
           array_agg(CASE WHEN d.ok THEN d.head + d.n ELSE d.head END ORDER BY d.ord),
           array_agg(CASE WHEN d.ok THEN d.end_pos END ORDER BY d.ord),
           coalesce(array_agg(d.first_event ORDER BY d.ord) FILTER (WHERE d.ok), '{}'),
           coalesce(array_agg(d.n ORDER BY d.ord) FILTER (WHERE d.ok), '{}'),
           coalesce(array_agg(d.end_pos - d.n + 1 ORDER BY d.ord) FILTER (WHERE d.ok), '{}'),
           coalesce(array_agg(d.stream ORDER BY d.ord) FILTER (WHERE d.ok), '{}'),
           coalesce(array_agg(d.head + 1 ORDER BY d.ord) FILTER (WHERE d.ok), '{}'),
           coalesce(sum(d.n) FILTER (WHERE d.ok), 0)
      INTO r_status, r_rev, r_pos, w_first, w_n, w_start, w_stream, w_rev0, added
      FROM d;
    IF added > 0 THEN
      INSERT INTO ${events} (position, stream_id, revision, event_id, event_key, type, data, metadata)
        SELECT w.start + g.j, w.stream, (w.rev0 + g.j)::int,
               ev.id, ev.key, ev.type, ev.data::json, ev.meta::json
          FROM unnest(w_first, w_n, w_start, w_stream, w_rev0) AS w(first, n, start, stream, rev0)
          CROSS JOIN LATERAL generate_series(0, w.n - 1) AS g(j)
          JOIN unnest(e_id, e_key, e_type, e_data, e_meta) WITH ORDINALITY
            AS ev(id, key, type, data, meta, ord) ON ev.ord = w.first + g.j
          ORDER BY 1;
      PERFORM pg_notify(channel, (last_pos + added)::text);
    END IF;
    RETURN QUERY SELECT * FROM unnest(r_status, r_rev, r_pos);
    RETURN;
  END IF;

  -- Otherwise append by append, in order: an earlier append of the batch counts for a later
  -- one, and a retried append is recognised by its ids.
  FOR i IN 1 .. coalesce(array_length(a_stream, 1), 0) LOOP
    n := a_count[i];
    si := array_position(s_names, a_stream[i]);
    cur := s_heads[si];
    expected := a_expected[i];
    from_rev := NULL;
    IF expected = -2 OR expected = -3 THEN
      IF cur = -1 THEN
        IF expected = -3 THEN from_rev := -2; END IF;
      ELSE
        -- the first revision at which the first id sits in this stream, if it does
        FOR k IN 1 .. coalesce(array_length(k_id, 1), 0) LOOP
          IF k_id[k] = e_id[first_event] AND k_stream[k] = a_stream[i]
             AND (from_rev IS NULL OR k_rev[k] < from_rev) THEN
            from_rev := k_rev[k];
          END IF;
        END LOOP;
      END IF;
    ELSIF expected = -1 THEN
      IF cur <> -1 THEN from_rev := 0; END IF;
    ELSIF cur <> expected THEN
      from_rev := CASE WHEN cur > expected THEN expected + 1 ELSE -2 END;
    END IF;

    IF from_rev IS NULL THEN
      FOR j IN 0 .. n - 1 LOOP
        last_pos := last_pos + 1;
        o_pos := o_pos || last_pos; o_stream := o_stream || a_stream[i];
        o_rev := o_rev || (cur + 1 + j)::int; o_id := o_id || e_id[first_event + j];
        o_key := o_key || e_key[first_event + j]; o_type := o_type || e_type[first_event + j];
        o_data := o_data || e_data[first_event + j]; o_meta := o_meta || e_meta[first_event + j];
        k_id := k_id || e_id[first_event + j]; k_stream := k_stream || a_stream[i];
        k_rev := k_rev || (cur + 1 + j); k_pos := k_pos || last_pos;
      END LOOP;
      s_heads[si] := cur + n;
      r_status := r_status || 0; r_rev := r_rev || (cur + n); r_pos := r_pos || last_pos;
    ELSE
      -- written already? exactly these ids in this stream from from_rev on
      same := from_rev >= 0;
      found_pos := NULL;
      j := 0;
      WHILE same AND j < n LOOP
        same := false;
        FOR k IN 1 .. coalesce(array_length(k_id, 1), 0) LOOP
          IF k_id[k] = e_id[first_event + j] AND k_stream[k] = a_stream[i]
             AND k_rev[k] = from_rev + j THEN
            same := true; found_pos := k_pos[k]; EXIT;
          END IF;
        END LOOP;
        j := j + 1;
      END LOOP;
      IF same THEN
        r_status := r_status || 1; r_rev := r_rev || (from_rev + n - 1); r_pos := r_pos || found_pos;
      ELSE
        r_status := r_status || 2; r_rev := r_rev || cur; r_pos := r_pos || NULL::bigint;
      END IF;
    END IF;
    first_event := first_event + n;
  END LOOP;

  IF array_length(o_pos, 1) > 0 THEN
    INSERT INTO ${events} (position, stream_id, revision, event_id, event_key, type, data, metadata)
      SELECT * FROM unnest(o_pos, o_stream, o_rev, o_id, o_key, o_type, o_data::json[], o_meta::json[]);
    PERFORM pg_notify(channel, last_pos::text);
  END IF;
  RETURN QUERY SELECT * FROM unnest(r_status, r_rev, r_pos);
END
$fn$`;
}
