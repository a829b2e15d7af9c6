-- Architecture decision records: the register, its review history, and the rules that keep a
-- decision honest once it is made.

-- ADR numbers are consecutive and never reused. A sequence would skip a number whenever a
-- transaction that drew one rolls back, so the number comes from this one-row counter, updated in
-- the same transaction as the insert: concurrent recordings queue on its row lock, and a rollback
-- gives the number back.
CREATE TABLE adr_counter (
    id           boolean PRIMARY KEY DEFAULT true CHECK (id),
    last_number  integer NOT NULL DEFAULT 0 CHECK (last_number >= 0)
);
INSERT INTO adr_counter DEFAULT VALUES;

CREATE TABLE adrs (
    number           integer PRIMARY KEY CHECK (number >= 1),
    -- Title and chosen option are also in `draft`; kept as columns for the register's list and
    -- checked against the draft so the two cannot disagree.
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    status           text NOT NULL CHECK (status IN ('proposed', 'accepted', 'rejected', 'deprecated', 'superseded')),
    chosen           text NOT NULL,
    -- The `AdrDraft` (scope, people, decision text, review interval) as written; one jsonb column,
    -- like a cluster's facts, so a new field of the draft needs no migration.
    draft            jsonb NOT NULL CHECK (jsonb_typeof(draft) = 'object'),
    -- The frozen `Snapshot` and the SHA-256 of its canonical JSON (computed by the domain crate,
    -- so the hash is the same whichever server wrote it).
    snapshot         jsonb NOT NULL CHECK (jsonb_typeof(snapshot) = 'object'),
    snapshot_sha256  text NOT NULL CHECK (snapshot_sha256 ~ '^[0-9a-f]{64}$'),
    recorded_on      date NOT NULL,
    -- Set when accepted or rejected.
    date             date,
    -- Next review, only while accepted.
    review_by        date,
    supersedes       integer REFERENCES adrs (number),
    superseded_by    integer REFERENCES adrs (number),
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text NOT NULL,
    updated_by       text NOT NULL,
    CONSTRAINT adrs_title_matches_draft CHECK (title = draft ->> 'title' AND chosen = draft ->> 'chosen'),
    CONSTRAINT adrs_decided_has_date CHECK ((status = 'proposed') = (date IS NULL)),
    CONSTRAINT adrs_review_only_while_accepted CHECK (review_by IS NULL OR status = 'accepted'),
    CONSTRAINT adrs_accepted_has_review CHECK (status <> 'accepted' OR review_by IS NOT NULL),
    CONSTRAINT adrs_superseded_names_successor CHECK ((status = 'superseded') = (superseded_by IS NOT NULL)),
    CONSTRAINT adrs_not_self_linked CHECK (supersedes <> number AND superseded_by <> number)
);
CREATE INDEX adrs_status_review_by_idx ON adrs (status, review_by);
-- One open proposal to supersede an ADR at a time: a second "supersede" review while the first
-- proposal is still undecided is a conflict the database decides.
CREATE UNIQUE INDEX adrs_one_open_successor_key ON adrs (supersedes) WHERE status = 'proposed';

-- `ADR-0001`, as people write it (the error messages below use it).
CREATE FUNCTION adr_label(n integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT 'ADR-' || lpad(n::text, greatest(4, length(n::text)), '0')
$$;

-- Nothing is ever deleted from the register: a decision that no longer applies is deprecated or
-- superseded, and its number stays taken.
CREATE FUNCTION adrs_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ADRs are never deleted: % is not allowed; deprecate or supersede the ADR instead', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER adrs_no_delete BEFORE DELETE ON adrs
    FOR EACH ROW EXECUTE FUNCTION adrs_refuse_delete();
CREATE TRIGGER adrs_no_truncate BEFORE TRUNCATE ON adrs
    FOR EACH STATEMENT EXECUTE FUNCTION adrs_refuse_delete();

-- Once an ADR is decided (accepted, rejected and everything after), what it decided is frozen:
-- the snapshot, its hash and the decision text. Only where it stands may still change: the
-- status along the status machine, the successor (once), the next review date, the row's
-- version and who touched it when. The server's role cannot drop or disable this trigger (it
-- owns no table), as for the audit log.
CREATE FUNCTION adrs_guard_decided() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.number IS DISTINCT FROM OLD.number THEN
        RAISE EXCEPTION '% cannot be renumbered', adr_label(OLD.number)
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
        (OLD.status = 'proposed' AND NEW.status IN ('accepted', 'rejected'))
        OR (OLD.status = 'accepted' AND NEW.status IN ('deprecated', 'superseded'))
    ) THEN
        RAISE EXCEPTION '% cannot go from % to %', adr_label(OLD.number), OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    IF OLD.status <> 'proposed' AND (
        (NEW.title, NEW.chosen, NEW.draft, NEW.snapshot, NEW.snapshot_sha256, NEW.recorded_on, NEW.date,
         NEW.created_at, NEW.created_by)
        IS DISTINCT FROM
        (OLD.title, OLD.chosen, OLD.draft, OLD.snapshot, OLD.snapshot_sha256, OLD.recorded_on, OLD.date,
         OLD.created_at, OLD.created_by)
        -- A link, once made, stays; an accepted ADR may still learn which ADR it supersedes or
        -- which one superseded it.
        OR (OLD.supersedes IS NOT NULL AND NEW.supersedes IS DISTINCT FROM OLD.supersedes)
        OR (OLD.superseded_by IS NOT NULL AND NEW.superseded_by IS DISTINCT FROM OLD.superseded_by)
    ) THEN
        RAISE EXCEPTION '% is %: its snapshot and decision text are frozen', adr_label(OLD.number), OLD.status
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER adrs_decided_is_frozen BEFORE UPDATE ON adrs
    FOR EACH ROW EXECUTE FUNCTION adrs_guard_decided();

-- Each review of an ADR: who, when, the outcome, the note and what had changed since the
-- snapshot. Append-only, like the audit log.
CREATE TABLE adr_reviews (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    adr_number        integer NOT NULL REFERENCES adrs (number),
    reviewed_on       date NOT NULL,
    reviewer          text NOT NULL CHECK (length(reviewer) BETWEEN 1 AND 200),
    reviewer_user_id  bigint REFERENCES users (id),
    outcome           text NOT NULL CHECK (outcome IN ('reaffirm', 'supersede')),
    note              text NOT NULL CHECK (length(note) <= 2000),
    -- A reaffirmation moves the next review; a supersession names the proposed successor.
    next_review_by    date,
    superseded_by     integer REFERENCES adrs (number),
    diff              jsonb NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT adr_reviews_outcome_fields CHECK (
        (outcome = 'reaffirm' AND next_review_by IS NOT NULL AND superseded_by IS NULL AND length(note) > 0)
        OR (outcome = 'supersede' AND superseded_by IS NOT NULL AND next_review_by IS NULL)
    )
);
CREATE INDEX adr_reviews_adr_number_idx ON adr_reviews (adr_number, id);

CREATE FUNCTION adr_reviews_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'adr_reviews is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER adr_reviews_no_update_or_delete BEFORE UPDATE OR DELETE ON adr_reviews
    FOR EACH ROW EXECUTE FUNCTION adr_reviews_is_append_only();
CREATE TRIGGER adr_reviews_no_truncate BEFORE TRUNCATE ON adr_reviews
    FOR EACH STATEMENT EXECUTE FUNCTION adr_reviews_is_append_only();

-- The fleet map badges clusters in scope of an overdue ADR and counts the reviews, so a change to
-- the register drops every server's cached map (0007's channel).
CREATE TRIGGER adrs_fleet_changed AFTER INSERT OR UPDATE ON adrs
    FOR EACH STATEMENT EXECUTE FUNCTION notify_fleet_changed();
